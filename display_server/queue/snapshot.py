"""The visible state of the office at one moment: what displays and counter apps start from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Counter, Priority, Service, Ticket, TicketStatus, TicketStep
from .clock import day_start, local_day
from .lookups import get_office
from .views import audience_view, counter_view, iso

WAITING_LIST_LIMIT = 50
RECENT_CALLS = 10


def queue_snapshot(session: Session, now: datetime, *, private: bool = False) -> dict[str, Any]:
    """Waiting per service (count, longest wait, the first tickets), counters, recent calls;
    tickets' private fields (priority class, token) only for signed-in staff (`private`)."""
    office = get_office(session)
    today = local_day(office, now)
    waiting_rows = session.scalars(
        select(Ticket)
        .where(
            Ticket.office_id == office.id,
            Ticket.status == TicketStatus.WAITING.value,
        )
        # In calling order; a ticket left waiting from an earlier day stays in line, first.
        .order_by(Ticket.local_day, Ticket.front.desc(), Ticket.queued_at, Ticket.id)
    ).all()
    services = session.scalars(
        select(Service)
        .where(Service.office_id == office.id)
        .order_by(Service.sort_order, Service.code)
    ).all()
    per_service: dict[int, list[Ticket]] = {s.id: [] for s in services}
    for ticket in waiting_rows:
        per_service.setdefault(ticket.service_id, []).append(ticket)
    service_rows = []
    for service in services:
        tickets = per_service.get(service.id, [])
        waits = [(now - t.issued_at).total_seconds() / 60 for t in tickets]
        target = service.target_wait_minutes
        service_rows.append(
            {
                "code": service.code,
                "name": service.name,
                "name_en": service.name_en,
                "active": service.active,
                "waiting": len(tickets),
                "priority_waiting": sum(1 for t in tickets if t.priority != Priority.NONE.value),
                "longest_wait_minutes": round(max(waits), 1) if waits else 0,
                "target_wait_minutes": target,
                "past_target": sum(1 for w in waits if target is not None and w > target),
                "tickets": [
                    audience_view(
                        {
                            "id": t.id,
                            "number": t.number,
                            "local_day": t.local_day.isoformat(),
                            "priority": t.priority,
                            "prioritised": t.priority != Priority.NONE.value,
                            "issued_at": iso(office, t.issued_at),
                            "waited_minutes": round(w, 1),
                            "past_target": target is not None and w > target,
                        },
                        private=private,
                    )
                    for t, w in list(zip(tickets, waits, strict=True))[:WAITING_LIST_LIMIT]
                ],
            }
        )
    counters = session.scalars(
        select(Counter)
        .where(Counter.office_id == office.id, Counter.active.is_(True))
        .order_by(Counter.number)
    ).all()
    recent = session.execute(
        select(TicketStep, Ticket)
        .join(Ticket, Ticket.id == TicketStep.ticket_id)
        .where(
            Ticket.office_id == office.id,
            TicketStep.called_at >= day_start(office, today),
        )
        .order_by(TicketStep.called_at.desc())
        .limit(RECENT_CALLS)
    ).all()
    return {
        "day": today.isoformat(),
        "updated_at": iso(office, now),
        "office": {"name": office.name, "unit": office.unit, "timezone": office.timezone},
        "services": service_rows,
        "counters": [counter_view(session, c, private=private) for c in counters],
        "recent_calls": [
            {
                "ticket_id": ticket.id,
                "number": ticket.number,
                "service": step.service.code,
                "counter": step.counter.number if step.counter else None,
                "counter_name": step.counter.name if step.counter else None,
                "called_at": iso(office, step.called_at),
                "recall_count": step.recall_count,
                "status": ticket.status,
                "prioritised": ticket.priority != Priority.NONE.value,
            }
            for step, ticket in recent
        ],
    }
