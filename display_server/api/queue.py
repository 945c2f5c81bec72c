"""Read-only views of the office: health, services (with whether they issue now), the live queue."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import func, select, text

from .. import __version__
from ..i18n import translate
from ..models import Counter, Service, Ticket, TicketStatus, TicketStep
from ..queue.clock import local_day, local_time
from ..queue.errors import IssuingRefused
from ..queue.tickets import check_issuing_open
from ..queue.views import counter_view, iso, service_view
from . import bp
from .context import get_db, now, office
from .errors import request_language

WAITING_LIST_LIMIT = 50


@bp.get("/health")
def health() -> Response:
    """Liveness (no database work, so it measures the framework); ?deep=1 also asks the database."""
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    if request.args.get("deep"):
        db = get_db()
        with db.read_session() as session:
            session.execute(text("SELECT 1"))
        body["database"] = db.engine.dialect.name
    return jsonify(body)


@bp.get("/services")
def list_services() -> Response:
    """Active services, whether each issues tickets right now, and how many wait."""
    language = request_language()
    with get_db().read_session() as session:
        the_office = office(session)
        at_local = local_time(the_office, now())
        today = local_day(the_office, now())
        waiting = dict(
            session.execute(
                select(Ticket.service_id, func.count(Ticket.id))
                .where(
                    Ticket.office_id == the_office.id,
                    Ticket.local_day == today,
                    Ticket.status == TicketStatus.WAITING.value,
                )
                .group_by(Ticket.service_id)
            ).all()
        )
        services = session.scalars(
            select(Service)
            .where(Service.office_id == the_office.id)
            .order_by(Service.sort_order, Service.code)
        ).all()
        result = []
        for service in services:
            issuing: dict[str, Any] = {"open": True, "reason": None, "message": None}
            try:
                check_issuing_open(service, at_local)
            except IssuingRefused as refused:
                issuing = {
                    "open": False,
                    "reason": refused.code,
                    "message": translate(refused.message, language, **refused.params),
                }
            result.append(
                {**service_view(service), "waiting": int(waiting.get(service.id, 0)),
                 "issuing": issuing}
            )
        return jsonify({"services": result})


@bp.get("/queue")
def queue_state() -> Response:
    """Waiting per service (count, longest wait, the list), each counter's call, recent calls."""
    with get_db().read_session() as session:
        the_office = office(session)
        current = now()
        today = local_day(the_office, current)
        waiting_rows = session.execute(
            select(Ticket)
            .where(
                Ticket.office_id == the_office.id,
                Ticket.local_day == today,
                Ticket.status == TicketStatus.WAITING.value,
            )
            .order_by(Ticket.front.desc(), Ticket.queued_at, Ticket.id)
        ).scalars().all()
        services = session.scalars(
            select(Service)
            .where(Service.office_id == the_office.id)
            .order_by(Service.sort_order, Service.code)
        ).all()
        per_service: dict[int, list[Ticket]] = {s.id: [] for s in services}
        for ticket in waiting_rows:
            per_service.setdefault(ticket.service_id, []).append(ticket)
        service_rows = []
        for service in services:
            tickets = per_service.get(service.id, [])
            waits = [(current - t.issued_at).total_seconds() / 60 for t in tickets]
            target = service.target_wait_minutes
            service_rows.append(
                {
                    "code": service.code,
                    "name": service.name,
                    "name_en": service.name_en,
                    "waiting": len(tickets),
                    "priority_waiting": sum(1 for t in tickets if t.priority != "none"),
                    "longest_wait_minutes": round(max(waits), 1) if waits else 0,
                    "target_wait_minutes": target,
                    "past_target": sum(1 for w in waits if target is not None and w > target),
                    "tickets": [
                        {
                            "id": t.id,
                            "number": t.number,
                            "priority": t.priority,
                            "issued_at": iso(the_office, t.issued_at),
                            "waited_minutes": round(w, 1),
                            "past_target": target is not None and w > target,
                        }
                        for t, w in list(zip(tickets, waits, strict=True))[:WAITING_LIST_LIMIT]
                    ],
                }
            )
        counters = session.scalars(
            select(Counter)
            .where(Counter.office_id == the_office.id, Counter.active.is_(True))
            .order_by(Counter.number)
        ).all()
        recent = session.execute(
            select(TicketStep, Ticket)
            .join(Ticket, Ticket.id == TicketStep.ticket_id)
            .where(
                Ticket.office_id == the_office.id,
                Ticket.local_day == today,
                TicketStep.called_at.is_not(None),
            )
            .order_by(TicketStep.called_at.desc())
            .limit(10)
        ).all()
        return jsonify(
            {
                "day": today.isoformat(),
                "updated_at": iso(the_office, current),
                "services": service_rows,
                "counters": [counter_view(session, c) for c in counters],
                "recent_calls": [
                    {
                        "ticket_id": ticket.id,
                        "number": ticket.number,
                        "service": step.service.code,
                        "counter": step.counter.number if step.counter else None,
                        "counter_name": step.counter.name if step.counter else None,
                        "called_at": iso(the_office, step.called_at),
                        "status": ticket.status,
                    }
                    for step, ticket in recent
                ],
            }
        )
