"""The event log: every change is written in its transaction and published after commit.

Events reach every screen, so they carry tickets in their public form; the write's own answer
reads the full view from `last_view`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..db import record_event
from ..models import Counter, EventLog, Ticket
from .records import CounterRow, OfficerLike, TicketRow
from .statements import execute
from .views import counter_view, public_ticket_view, ticket_view

VIEWS = "luot.ticket_views"
_INSERT_EVENT = insert(EventLog)


def last_view(session: Session, ticket: Ticket | TicketRow) -> dict[str, Any] | None:
    """The full (private) view `log_change` built for `ticket` in this transaction (its final
    state), if any: for the answer to the write's own caller, never for an event."""
    views: dict[int, dict[str, Any]] = session.info.get(VIEWS, {})
    return views.get(ticket.id)


def log_change(
    session: Session,
    kind: str,
    *,
    office_id: int,
    at: datetime,
    ticket: TicketRow | None = None,
    counter: Counter | CounterRow | None = None,
    officer: OfficerLike | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append `kind` to the event log and queue its bus event with the current views."""
    session.flush()
    # A Core insert: the log is append-only, so the unit of work has nothing to track for it.
    execute(
        session,
        _INSERT_EVENT,
        {
            "office_id": office_id,
            "at": at,
            "kind": kind,
            "ticket_id": ticket.id if ticket else None,
            "counter_id": counter.id if counter else None,
            "officer_id": officer.id if officer else None,
            "detail": detail or {},
        },
    )
    data: dict[str, Any] = dict(detail or {})
    if ticket is not None:
        view = ticket_view(session, ticket, now=at)
        session.info.setdefault(VIEWS, {})[ticket.id] = view
        data["ticket"] = public_ticket_view(view)
    if counter is not None and ticket is not None:
        # The ticket already says where it is called; the counter's own state is enough here.
        data["counter"] = {"number": counter.number, "name": counter.name, "state": counter.state}
    elif isinstance(counter, Counter):
        data["counter"] = counter_view(session, counter, with_ticket=False)
    if officer is not None:
        data["officer"] = {"username": officer.username, "full_name": officer.full_name}
    record_event(session, kind, office_id, data)
