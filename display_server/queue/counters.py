"""Counter states: an officer signs in to open a counter, pauses for a break, closes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..events import COUNTER_STATE
from ..models import Counter, CounterState, Officer
from .calls import require_idle
from .clock import utc_now
from .errors import Conflict, InvalidInput
from .journal import log_change
from .lookups import get_counter
from .records import OfficeLike, OfficerLike

MAX_REASON = 200


def _set_state(
    session: Session,
    office: OfficeLike,
    counter: Counter,
    state: CounterState,
    officer: OfficerLike | None,
    now: datetime,
    reason: str | None = None,
) -> Counter:
    counter.state = state.value
    counter.pause_reason = reason if state == CounterState.PAUSED else None
    counter.state_changed_at = now
    counter.silent_since = None  # whoever changed it is here (or it closed)
    log_change(
        session,
        COUNTER_STATE,
        office_id=office.id,
        at=now,
        counter=counter,
        officer=officer,
        detail={"state": state.value, "reason": counter.pause_reason},
    )
    return counter


def sign_in_at_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: Officer,
    now: datetime | None = None,
) -> Counter:
    """Seat `officer` at the counter and open it; they leave any other counter they held."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    if counter.officer_id not in (None, officer.id):
        holder = counter.officer
        raise Conflict(
            "counter_taken",
            "Quầy {counter} đang do cán bộ {officer} đăng nhập.",
            counter=counter.number,
            officer=holder.full_name if holder else "?",
        )
    elsewhere = session.scalars(
        select(Counter).where(Counter.officer_id == officer.id, Counter.id != counter.id)
    ).all()
    for other in elsewhere:
        require_idle(session, other)
        other.officer_id = None
        other.officer = None
        _set_state(session, office, other, CounterState.CLOSED, officer, now)
    counter.officer_id = officer.id
    counter.officer = officer
    if counter.state != CounterState.PAUSED.value:
        return _set_state(session, office, counter, CounterState.OPEN, officer, now)
    return counter


def sign_out_of_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: Officer,
    now: datetime | None = None,
) -> Counter:
    """The officer leaves: the counter closes (it must not have a citizen in progress)."""
    return close_counter(session, office, counter_number, officer, now)


def open_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> Counter:
    """Open the counter for calls."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    return _set_state(session, office, counter, CounterState.OPEN, officer, now)


def pause_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    reason: str,
    now: datetime | None = None,
) -> Counter:
    """Stop calling for a while (a break, a long case); the reason is shown and logged."""
    now = now or utc_now()
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            "invalid_reason", "Hãy ghi lý do tạm nghỉ (tối đa {max} ký tự).", max=MAX_REASON
        )
    counter = get_counter(session, office, counter_number, lock=True)
    if counter.state == CounterState.CLOSED.value:
        raise Conflict("counter_closed", "Quầy {counter} đang đóng.", counter=counter.number)
    return _set_state(session, office, counter, CounterState.PAUSED, officer, now, reason)


def resume_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> Counter:
    """Back from a pause."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    if counter.state != CounterState.PAUSED.value:
        raise Conflict(
            "counter_not_paused",
            "Quầy {counter} không ở trạng thái tạm nghỉ.",
            counter=counter.number,
        )
    return _set_state(session, office, counter, CounterState.OPEN, officer, now)


def close_counter(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> Counter:
    """Close the counter and sign its officer out; refused while a citizen is in progress."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    require_idle(session, counter)
    counter.officer_id = None
    counter.officer = None
    return _set_state(session, office, counter, CounterState.CLOSED, officer, now)
