"""The turn of the office's day: what becomes of tickets still waiting when their day ends.

The supervisor's rule, `at_day_end` in the `[queue]` settings: "keep" (the default) leaves the
ticket in line, first in its class, until it is served or cancelled; "cancel" closes it at the
end of its day, with reason "day_end", a `ticket.cancelled` event and its status page saying so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import Session

from ..events import TICKET_CANCELLED
from ..models import StepOutcome, TicketStatus
from .clock import HasTimezone, day_start, local_day
from .journal import log_change
from .records import TICKET, OfficeLike, TicketRow, load_ticket, set_step, set_ticket
from .statements import rows

KEEP = "keep"
CANCEL = "cancel"
AT_DAY_END = (KEEP, CANCEL)
DEFAULT_AT_DAY_END = KEEP
DAY_END = "day_end"  # the closed_reason of a ticket the "cancel" rule closed

_LEFT_OVER = (
    select(TICKET.c.id)
    .where(
        TICKET.c.office_id == bindparam("office_id"),
        TICKET.c.status == TicketStatus.WAITING.value,
        TICKET.c.local_day < bindparam("today", type_=Date()),
    )
    .order_by(TICKET.c.local_day, TICKET.c.id)
)


def parse_at_day_end(value: object) -> str:
    """The rule `value` names (None or "": the default); ValueError for anything else."""
    if value is None or value == "":
        return DEFAULT_AT_DAY_END
    if value not in AT_DAY_END:
        raise ValueError(f'at_day_end must be "{KEEP}" or "{CANCEL}", got {value!r}')
    return str(value)


def end_of_day(office: HasTimezone, day: date) -> datetime:
    """The moment (UTC) the office's local `day` ends: the start of the next."""
    return day_start(office, day + timedelta(days=1))


def apply_day_end(
    session: Session, office: OfficeLike, now: datetime, rule: str
) -> list[TicketRow]:
    """Apply `rule` to the tickets still waiting from days before the office's today; the
    tickets it closed (none under "keep").

    Safe to run at any time, as often as wanted and from several processes at once: each
    ticket is re-read under its row lock and left alone unless it is still waiting.
    """
    if parse_at_day_end(rule) != CANCEL:
        return []
    today = local_day(office, now)
    closed: list[TicketRow] = []
    for (ticket_id,) in rows(session, _LEFT_OVER, {"office_id": office.id, "today": today}):
        ticket = load_ticket(session, ticket_id, lock=True)
        if ticket.status != TicketStatus.WAITING.value:
            continue  # called or closed by another process since the list was read
        # Closed as of its day's end, even when applied later (the server was off at midnight).
        closed_at = min(end_of_day(office, ticket.local_day), now)
        set_step(
            session, ticket.open_step, outcome=StepOutcome.CANCELLED.value, finished_at=closed_at
        )
        set_ticket(
            session,
            ticket,
            status=TicketStatus.CANCELLED.value,
            status_changed_at=closed_at,
            closed_reason=DAY_END,
        )
        log_change(
            session,
            TICKET_CANCELLED,
            office_id=office.id,
            at=now,
            ticket=ticket,
            detail={"reason": DAY_END, "day": ticket.local_day.isoformat()},
        )
        closed.append(ticket)
    return closed
