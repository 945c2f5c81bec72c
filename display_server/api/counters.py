"""Counter routes: the officer's actions (call, recall, start, finish, no-show, transfer, pause)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import queue
from ..models import Counter
from ..queue.clock import local_day
from ..queue.lookups import find_ticket_by_number, get_counter, get_ticket
from ..queue.records import OfficeLike, OfficerLike, find_counter
from ..queue.views import counter_view
from . import bp
from .context import (
    MAX_SERVICE,
    choice_field,
    get_db,
    int_field,
    json_body,
    now,
    office,
    require_counter_access,
    staff_signed_in,
    text_field,
    ticket_answer,
    write_action,
)
from .errors import ApiError

MAX_COUNTER = 9999
MAX_NUMBER = 16
MAX_REASON = 200
POSITIONS = ("front", "arrival")


def _counter_action(
    number: int, act: Callable[[Session, OfficeLike, OfficerLike], Any], *, answer: str = "ticket"
) -> tuple[Response, int]:
    """Check the caller may act at counter `number`, run `act`, answer with ticket or counter."""
    json_body(required=False)  # actions without fields take `{}`, and nothing but an object

    def action(session: Session) -> dict[str, Any]:
        the_office = office(session)
        counter = find_counter(session, the_office.id, number)
        officer = require_counter_access(session, counter).officer
        result = act(session, the_office, officer)
        if answer == "counter":
            session.flush()
            return counter_view(session, result, private=True)  # the caller is staff
        return ticket_answer(session, result)

    return write_action(action, staff_only=True)


@bp.get("/counters")
def list_counters() -> Response:
    """Every counter with its state, officer and current ticket (private fields: staff only)."""
    with get_db().read_session() as session:
        the_office = office(session)
        counters = session.scalars(
            select(Counter)
            .where(Counter.office_id == the_office.id, Counter.active.is_(True))
            .order_by(Counter.number)
        ).all()
        private = staff_signed_in(session)
        return jsonify({"counters": [counter_view(session, c, private=private) for c in counters]})


@bp.get("/counters/<int:number>")
def read_counter(number: int) -> Response:
    """One counter (its ticket's private fields: staff only)."""
    with get_db().read_session() as session:
        counter = get_counter(session, office(session), number)
        return jsonify(counter_view(session, counter, private=staff_signed_in(session)))


@bp.post("/counters/<int:number>/call-next")
def call_next(number: int) -> tuple[Response, int]:
    """Call the next citizen to this counter."""
    return _counter_action(
        number, lambda s, o, officer: queue.call_next(s, o, number, officer, now())
    )


@bp.post("/counters/<int:number>/call")
def call_given(number: int) -> tuple[Response, int]:
    """Call a given ticket: {"ticket": id} or {"number": "A012"} (today's)."""
    body = json_body()
    ticket_id = int_field(body, "ticket")
    display_number = text_field(body, "number", max_length=MAX_NUMBER)
    if ticket_id is None and not display_number:
        raise ApiError(422, "missing_field", "Thiếu trường {field}.", field="ticket / number")

    def act(session: Session, the_office: OfficeLike, officer: OfficerLike) -> Any:
        if ticket_id is not None:
            ticket = get_ticket(session, the_office, ticket_id, lock=True)
        else:
            day = local_day(the_office, now())
            ticket = find_ticket_by_number(
                session, the_office, display_number or "", day, lock=True
            )
        return queue.call_ticket(session, the_office, number, officer, ticket, now())

    return _counter_action(number, act)


@bp.post("/counters/<int:number>/recall")
def recall(number: int) -> tuple[Response, int]:
    """Call the current ticket again."""
    return _counter_action(number, lambda s, o, officer: queue.recall(s, o, number, officer, now()))


@bp.post("/counters/<int:number>/start")
def start(number: int) -> tuple[Response, int]:
    """The citizen is at the counter: start the service clock."""
    return _counter_action(
        number, lambda s, o, officer: queue.start_service(s, o, number, officer, now())
    )


@bp.post("/counters/<int:number>/finish")
def finish(number: int) -> tuple[Response, int]:
    """Service done."""
    return _counter_action(
        number, lambda s, o, officer: queue.finish_service(s, o, number, officer, now())
    )


@bp.post("/counters/<int:number>/no-show")
def no_show(number: int) -> tuple[Response, int]:
    """The called citizen did not come."""
    return _counter_action(
        number, lambda s, o, officer: queue.mark_no_show(s, o, number, officer, now())
    )


@bp.post("/counters/<int:number>/transfer")
def transfer(number: int) -> tuple[Response, int]:
    """Send the citizen on: {"service": "B", "position": "front"|"arrival", "counter": 3}."""
    body = json_body()
    service = text_field(body, "service", required=True, max_length=MAX_SERVICE) or ""
    position = choice_field(body, "position", POSITIONS) or "front"
    to_counter = int_field(body, "counter", maximum=MAX_COUNTER)
    return _counter_action(
        number,
        lambda s, o, officer: queue.transfer(
            s, o, number, officer, service, position=position, to_counter=to_counter, now=now()
        ),
    )


@bp.post("/counters/<int:number>/pause")
def pause(number: int) -> tuple[Response, int]:
    """Take a break: {"reason": "Nghỉ trưa"}."""
    body = json_body()
    reason = text_field(body, "reason", required=True, max_length=MAX_REASON) or ""
    return _counter_action(
        number,
        lambda s, o, officer: queue.pause_counter(s, o, number, officer, reason, now()),
        answer="counter",
    )


@bp.post("/counters/<int:number>/resume")
def resume(number: int) -> tuple[Response, int]:
    """Back from a break."""
    return _counter_action(
        number,
        lambda s, o, officer: queue.resume_counter(s, o, number, officer, now()),
        answer="counter",
    )


@bp.post("/counters/<int:number>/open")
def open_(number: int) -> tuple[Response, int]:
    """Open the counter for calls."""
    return _counter_action(
        number,
        lambda s, o, officer: queue.open_counter(s, o, number, officer, now()),
        answer="counter",
    )


@bp.post("/counters/<int:number>/close")
def close(number: int) -> tuple[Response, int]:
    """Close the counter (refused while a citizen is in progress)."""
    return _counter_action(
        number,
        lambda s, o, officer: queue.close_counter(s, o, number, officer, now()),
        answer="counter",
    )
