"""Citizen ratings of a served step: the levels offered, which step awaits a rating, recording one.

Who may rate a step (one rating per step, whoever gives it), decided in `check_rater`:
- the citizen's status page, with the ticket's token, for a step finished in the last 24 hours;
- the rating tablet paired to the counter that served the step (its device key), only for that
  counter's rating target: its latest finished step, unrated, finished within the window
  (`[rating] window_minutes`, default 10) and before the counter started serving anyone else.
Nobody else: a refused attempt records nothing, so the citizen can still rate.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import record_event
from ..models import Counter, Rating, StepOutcome, Ticket, TicketStep
from ..trust.devices import TABLET, Device
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .records import OfficeLike

log = logging.getLogger(__name__)

RATING_RECORDED = "rating.recorded"
RATEABLE = (StepOutcome.DONE.value, StepOutcome.TRANSFERRED.value)
DEFAULT_WINDOW_MINUTES = 10
TOKEN_WINDOW = timedelta(hours=24)
MAX_LEVEL_KEY = 32


@dataclass(frozen=True)
class Level:
    """One answer on the rating screen; `score` orders them (higher is happier)."""

    key: str
    label: str
    score: int
    label_en: str | None = None


DEFAULT_LEVELS = (
    Level("very_satisfied", "Rất hài lòng", 3),
    Level("satisfied", "Hài lòng", 2),
    Level("unsatisfied", "Không hài lòng", 1),
)


@dataclass(frozen=True)
class RatingSettings:
    """The `[rating]` section: levels (labels or tables), the counter window, comments on/off."""

    levels: tuple[Level, ...] = DEFAULT_LEVELS
    window: timedelta = timedelta(minutes=DEFAULT_WINDOW_MINUTES)
    comment: bool = True

    @classmethod
    def from_section(cls, values: Mapping[str, Any]) -> RatingSettings:
        """Read the section; anything invalid is logged and replaced by the default."""
        window = values.get("window_minutes", DEFAULT_WINDOW_MINUTES)
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 24 * 60:
            log.warning("[rating] window_minutes = %r is invalid; using the default", window)
            window = DEFAULT_WINDOW_MINUTES
        comment = values.get("comment", True)
        return cls(
            levels=_levels(values.get("levels")),
            window=timedelta(minutes=window),
            comment=comment if isinstance(comment, bool) else True,
        )

    def level(self, key: str) -> Level:
        """The level with `key`, or a 422."""
        for level in self.levels:
            if level.key == key:
                return level
        raise InvalidInput(
            "invalid_level",
            "Mức đánh giá không hợp lệ: {value}. Chọn một trong: {choices}.",
            value=key,
            choices=", ".join(level.key for level in self.levels),
        )


def _levels(raw: Any) -> tuple[Level, ...]:
    """Levels from `levels = ["Rất hài lòng", …]` or `[{key, label, label_en, score}, …]`."""
    if raw is None:
        return DEFAULT_LEVELS
    known = {level.label: level for level in DEFAULT_LEVELS}
    levels: list[Level] = []
    if isinstance(raw, list) and raw:
        for index, item in enumerate(raw):
            score = len(raw) - index
            if isinstance(item, str) and item.strip():
                label = item.strip()
                default = known.get(label)
                levels.append(
                    Level(default.key if default else label[:MAX_LEVEL_KEY], label, score)
                )
            elif isinstance(item, Mapping) and isinstance(item.get("label"), str):
                key = str(item.get("key") or item["label"])[:MAX_LEVEL_KEY]
                given = item.get("score", score)
                levels.append(
                    Level(
                        key,
                        item["label"],
                        given if isinstance(given, int) else score,
                        item.get("label_en") if isinstance(item.get("label_en"), str) else None,
                    )
                )
            else:
                levels = []
                break
    if not levels or len({level.key for level in levels}) != len(levels):
        log.warning("[rating] levels = %r is invalid; using the default levels", raw)
        return DEFAULT_LEVELS
    return tuple(levels)


def is_rated(session: Session, step: TicketStep) -> bool:
    """Whether the step already has its rating."""
    return session.scalar(select(Rating.id).where(Rating.step_id == step.id)) is not None


def counter_rating_target(
    session: Session, counter: Counter, now: datetime, window: timedelta
) -> TicketStep | None:
    """The step the counter's tablet should ask about, if any (see the module docstring)."""
    latest = session.scalars(
        select(TicketStep)
        .where(TicketStep.counter_id == counter.id, TicketStep.finished_at.is_not(None))
        .order_by(TicketStep.finished_at.desc(), TicketStep.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.finished_at is None or latest.outcome not in RATEABLE:
        return None
    if now - latest.finished_at > window or is_rated(session, latest):
        return None
    moved_on = session.scalar(
        select(TicketStep.id)
        .where(
            TicketStep.counter_id == counter.id,
            TicketStep.id != latest.id,
            TicketStep.started_at >= latest.finished_at,
        )
        .limit(1)
    )
    return None if moved_on is not None else latest


def ticket_rating_target(session: Session, ticket: Ticket, now: datetime) -> TicketStep | None:
    """The ticket's latest served step still open to its holder's rating, if any."""
    for step in reversed(ticket.steps):
        if step.finished_at is None or step.outcome not in RATEABLE:
            continue
        if now - step.finished_at > TOKEN_WINDOW or is_rated(session, step):
            return None
        return step
    return None


def _step_to_rate(ticket: Ticket, step_id: int | None) -> TicketStep:
    """The step named by `step_id`, else the ticket's latest served one."""
    if step_id is not None:
        step = next((s for s in ticket.steps if s.id == step_id), None)
        if step is None:
            raise NotFound(
                "unknown_step",
                "Phiếu {ticket} không có bước phục vụ {step}.",
                ticket=ticket.number,
                step=step_id,
            )
    else:
        served = [s for s in ticket.steps if s.finished_at is not None and s.outcome in RATEABLE]
        step = served[-1] if served else ticket.steps[-1]
    if step.finished_at is None or step.outcome not in RATEABLE:
        raise Conflict(
            "not_finished",
            "Số {ticket} chưa được phục vụ xong nên chưa thể đánh giá.",
            ticket=ticket.number,
        )
    return step


def tablet_at(device: Device | None, counter_id: int | None) -> None:
    """The device is a rating tablet paired to the counter `counter_id`, or NotAllowed."""
    if device is None or device.kind != TABLET:
        raise NotAllowed(
            "not_a_tablet",
            "Chỉ máy đánh giá đã ghép với quầy, hoặc mã QR trên phiếu, mới đánh giá được.",
        )
    if counter_id is None or device.counter_id != counter_id:
        raise NotAllowed("wrong_counter", "Máy đánh giá này được ghép với quầy khác.")


def _not_rated(session: Session, ticket: Ticket, step: TicketStep) -> None:
    if is_rated(session, step):
        raise Conflict(
            "already_rated", "Lượt phục vụ số {ticket} đã được đánh giá.", ticket=ticket.number
        )


def check_rater(
    session: Session,
    ticket: Ticket,
    step: TicketStep,
    settings: RatingSettings,
    *,
    token: str | None,
    device: Device | None,
    now: datetime,
) -> None:
    """Whether this rater may rate `step` now (see the module docstring); raises if not."""
    finished_at: datetime = step.finished_at  # type: ignore[assignment]  # a served step
    if token is not None:
        if not hmac.compare_digest(token.encode(), ticket.token.encode()):
            raise NotAllowed("wrong_token", "Mã phiếu không đúng.")
        _not_rated(session, ticket, step)
        if now - finished_at > TOKEN_WINDOW:
            raise Conflict(
                "rating_closed",
                "Đã hết thời hạn đánh giá lượt phục vụ số {ticket}.",
                ticket=ticket.number,
            )
        return
    tablet_at(device, step.counter_id)
    _not_rated(session, ticket, step)
    counter = step.counter
    target = counter_rating_target(session, counter, now, settings.window) if counter else None
    if target is None or target.id != step.id:
        raise NotAllowed(
            "rating_not_allowed",
            "Chỉ đánh giá được tại quầy ngay sau khi được phục vụ, hoặc bằng mã QR trên phiếu.",
        )


def rate_step(
    session: Session,
    office: OfficeLike,
    ticket: Ticket,
    settings: RatingSettings,
    *,
    level: str,
    comment: str | None,
    step_id: int | None,
    token: str | None,
    device: Device | None,
    now: datetime,
) -> Rating:
    """Record the rating of one served step, stored with the officer and counter who served it."""
    chosen = settings.level(level)
    step = _step_to_rate(ticket, step_id)
    check_rater(session, ticket, step, settings, token=token, device=device, now=now)
    rating = Rating(
        office_id=office.id,
        step_id=step.id,
        officer_id=step.officer_id,
        counter_id=step.counter_id,
        level=chosen.key,
        score=chosen.score,
        comment=comment or None,
        created_at=now,
    )
    session.add(rating)
    try:
        session.flush()
    except IntegrityError as exc:  # a second rating of the same step raced this one
        raise Conflict(
            "already_rated", "Lượt phục vụ số {ticket} đã được đánh giá.", ticket=ticket.number
        ) from exc
    record_event(session, RATING_RECORDED, office.id, {"rating": rating_view(rating, step)})
    return rating


def rating_view(rating: Rating, step: TicketStep) -> dict[str, Any]:
    """A recorded rating as the API and the "rating.recorded" event show it."""
    return {
        "id": rating.id,
        "ticket_id": step.ticket_id,
        "ticket_number": step.ticket.number,
        "step_id": step.id,
        "counter": step.counter.number if step.counter else None,
        "officer": step.officer.full_name if step.officer else None,
        "level": rating.level,
        "score": rating.score,
        "comment": rating.comment,
    }
