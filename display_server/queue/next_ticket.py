"""Which waiting ticket a counter calls next, each step an index seek (ix_ticket_next).

Calling order: the priority group (or the others first, by the office's policy), the counter's
services in rank, then the day a ticket was issued (yesterday's leftovers have waited longest),
front-of-line transfers, queue time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, or_
from sqlalchemy.orm import Session

from ..models import Priority, TicketStatus
from .records import (
    TICKET,
    CounterRow,
    OfficeLike,
    TicketRow,
    first_ticket,
    is_postgres,
    select_tickets,
)

PRIORITY_CLASSES = [p.value for p in Priority if p is not Priority.NONE]
OTHERS = [Priority.NONE.value]


def _next_of_class(*, lock: bool) -> Any:
    """The first waiting ticket of one service and one priority class, in calling order."""
    stmt = (
        select_tickets()
        .where(
            TICKET.c.office_id == bindparam("office_id"),
            TICKET.c.service_id == bindparam("service_id"),
            TICKET.c.status == TicketStatus.WAITING.value,
            TICKET.c.priority == bindparam("priority"),
            or_(
                TICKET.c.target_counter_id.is_(None),
                TICKET.c.target_counter_id == bindparam("counter_id"),
            ),
        )
        .order_by(TICKET.c.local_day, TICKET.c.front.desc(), TICKET.c.queued_at, TICKET.c.id)
        .limit(1)
    )
    # PostgreSQL: claim the row, passing by rows another process is claiming right now.
    return stmt.with_for_update(skip_locked=True) if lock else stmt


_NEXT_OF_CLASS = {lock: _next_of_class(lock=lock) for lock in (True, False)}


def _calling_order(ticket: TicketRow) -> tuple[Any, ...]:
    return (ticket.local_day, not ticket.front, ticket.queued_at, ticket.id)


def next_ticket(
    session: Session, office: OfficeLike, counter: CounterRow, priority_first: bool
) -> TicketRow | None:
    """The ticket `counter` calls next, or None when nobody it serves is waiting.

    One seek per (service, class) rather than one `priority IN (…)` query per service: for
    the IN list SQLite's planner preferred an index giving the ORDER BY's first column and
    walked every ticket of the office, waiting or not, on every call. (On PostgreSQL the
    probes of a priority group may hold a few more row locks until the call commits; other
    counters pass them by.)
    """
    lock = is_postgres(session)
    groups = [PRIORITY_CLASSES, OTHERS] if priority_first else [OTHERS, PRIORITY_CLASSES]
    for classes in groups:
        for service_id in counter.service_ids:
            found = [
                ticket
                for priority in classes
                if (
                    ticket := first_ticket(
                        session,
                        _NEXT_OF_CLASS[lock],
                        {
                            "office_id": office.id,
                            "service_id": service_id,
                            "counter_id": counter.id,
                            "priority": priority,
                        },
                    )
                )
                is not None
            ]
            if found:
                return min(found, key=_calling_order)
    return None
