"""Rating routes: record a rating, and ask which served step awaits one (tablet or status page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.orm import Session

from ..api.context import (
    MAX_TOKEN,
    choice_field,
    get_db,
    int_field,
    json_body,
    now,
    office,
    text_field,
    write_action,
)
from ..api.errors import ApiError, request_language
from ..i18n import translate
from ..models import TicketStep
from ..queue.lookups import get_counter, get_ticket, get_ticket_by_token
from ..queue.ratings import (
    RatingSettings,
    counter_rating_target,
    rate_step,
    rating_view,
    tablet_at,
    ticket_rating_target,
)
from ..queue.records import OfficeLike
from ..queue.views import iso
from ..settings import section
from ..trust.device_requests import request_device

bp = Blueprint("screens_api", __name__, url_prefix="/api/v1")

MAX_COMMENT = 500
INVALID_LEVEL = "Mức đánh giá không hợp lệ: {value}. Chọn một trong: {choices}."


def rating_settings() -> RatingSettings:
    """The effective `[rating]` settings (site file overlaid by administration)."""
    return RatingSettings.from_section(section(current_app._get_current_object(), "rating"))  # type: ignore[attr-defined]


def levels_json(settings: RatingSettings) -> list[dict[str, Any]]:
    """The levels in the request's language."""
    language = request_language()
    return [
        {
            "key": level.key,
            "label": (level.label_en or translate(level.label, language))
            if language == "en"
            else level.label,
            "score": level.score,
        }
        for level in settings.levels
    ]


def target_json(the_office: OfficeLike, step: TicketStep | None) -> dict[str, Any] | None:
    """The step awaiting a rating, as the tablet and the status page show it."""
    if step is None:
        return None
    ticket = step.ticket
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.number,
        "step_id": step.id,
        "service": step.service.code,
        "service_name": step.service.name,
        "service_name_en": step.service.name_en,
        "counter": step.counter.number if step.counter else None,
        "counter_name": step.counter.name if step.counter else None,
        "officer": step.officer.full_name if step.officer else None,
        "finished_at": iso(the_office, step.finished_at),
    }


@bp.post("/tickets/<int:ticket_id>/rating")
def rate_ticket(ticket_id: int) -> tuple[Response, int]:
    """Rate a served step: {"level", "comment"?, "step"?, "token"?}.

    The status page sends the ticket's token; the rating tablet sends its X-Device-Key instead.
    """
    body = json_body()
    settings = rating_settings()
    keys = [level.key for level in settings.levels]
    level = choice_field(body, "level", keys, required=True, message=INVALID_LEVEL) or ""
    comment = text_field(body, "comment", max_length=MAX_COMMENT)
    token = text_field(body, "token", max_length=MAX_TOKEN)
    step_id = int_field(body, "step")
    if comment and not settings.comment:
        comment = None

    def action(session: Session) -> dict[str, Any]:
        device = None if token else request_device(session, required=True)
        the_office = office(session)
        ticket = get_ticket(session, the_office, ticket_id, lock=True)
        rating = rate_step(
            session,
            the_office,
            ticket,
            settings,
            level=level,
            comment=comment,
            step_id=step_id,
            token=token or None,
            device=device,
            now=now(),
        )
        step = session.get_one(TicketStep, rating.step_id)
        return {**rating_view(rating, step), "created_at": iso(the_office, rating.created_at)}

    return write_action(action, status=201)


@bp.get("/counters/<int:number>/rating-target")
def counter_target(number: int) -> Response:
    """What the counter's rating tablet should ask about now (target null: nothing).

    Only that counter's paired tablet may ask (X-Device-Key): not every page on the network.
    """
    settings = rating_settings()
    with get_db().read_session() as session:
        device = request_device(session, required=True)
        the_office = office(session)
        counter = get_counter(session, the_office, number)
        tablet_at(device, counter.id)
        step = counter_rating_target(session, counter, now(), settings.window)
        return jsonify(
            {
                "counter": counter.number,
                "counter_name": counter.name,
                "target": target_json(the_office, step),
                "levels": levels_json(settings),
                "comment": settings.comment,
                "window_minutes": int(settings.window.total_seconds() // 60),
            }
        )


@bp.get("/tickets/token/<token>/rating-target")
def ticket_target(token: str) -> Response:
    """What the citizen's status page may still rate (target null: nothing, or already rated)."""
    if len(token) > MAX_TOKEN:
        raise ApiError(404, "unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket="?")
    settings = rating_settings()
    moment: datetime = now()
    with get_db().read_session() as session:
        the_office = office(session)
        ticket = get_ticket_by_token(session, token)
        step = ticket_rating_target(session, ticket, moment)
        return jsonify(
            {
                "ticket_id": ticket.id,
                "target": target_json(the_office, step),
                "levels": levels_json(settings),
                "comment": settings.comment,
            }
        )
