"""Read-only views of the office: health, services (with whether they issue now), the live queue."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import func, select

from .. import __version__
from ..i18n import translate
from ..models import DailySequence, Service, Ticket, TicketStatus
from ..queue.clock import local_day, local_time
from ..queue.errors import IssuingRefused
from ..queue.snapshot import queue_snapshot
from ..queue.tickets import check_daily_limit, check_issuing_open
from ..queue.views import service_view
from ..storage import CODE as STORAGE_CODE
from ..storage import MESSAGES as STORAGE_MESSAGES
from . import bp
from .context import get_db, now, office, staff_signed_in
from .errors import request_language, storage_watch


@bp.get("/health")
def health() -> Response:
    """Liveness (no database work, so it measures the framework); ?deep=1 also checks that the
    database reads and would store a write (503 `storage_unavailable` with the reason if not)."""
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    if request.args.get("deep"):
        db = get_db()
        body["database"] = db.engine.dialect.name
        for check in current_app.extensions.get("luot.deep_health", []):
            body.update(check(current_app))  # features' own checks (the daily backup)
        reason = storage_watch().probe()
        if reason is not None:
            body |= {"status": "unavailable", "error": STORAGE_CODE, "reason": reason}
            body["message"] = translate(STORAGE_MESSAGES[reason], request_language())
            response = jsonify(body)
            response.status_code = 503
            return response
    return jsonify(body)


@bp.get("/services")
def list_services() -> Response:
    """Active services, whether each issues tickets right now, and how many wait."""
    language = request_language()
    with get_db().read_session() as session:
        the_office = office(session)
        at_local = local_time(the_office, now())
        today = local_day(the_office, now())
        waiting: dict[int, int] = dict(
            session.execute(  # type: ignore[arg-type]
                select(Ticket.service_id, func.count(Ticket.id))
                .where(
                    Ticket.office_id == the_office.id,
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
        issued_today: dict[str, int] = dict(
            session.execute(  # type: ignore[arg-type]
                select(DailySequence.code, DailySequence.last).where(
                    DailySequence.office_id == the_office.id, DailySequence.local_day == today
                )
            ).all()
        )
        result = []
        for service in services:
            issuing: dict[str, Any] = {"open": True, "reason": None, "message": None}
            try:
                check_issuing_open(service, at_local)
                check_daily_limit(service, issued_today.get(service.code, 0))
            except IssuingRefused as refused:
                issuing = {
                    "open": False,
                    "reason": refused.code,
                    "message": translate(refused.message, language, **refused.params),
                }
            result.append(
                {
                    **service_view(service),
                    "waiting": int(waiting.get(service.id, 0)),
                    "issuing": issuing,
                }
            )
        return jsonify({"services": result})


@bp.get("/queue")
def queue_state() -> Response:
    """Waiting per service (count, longest wait, the list), each counter's call, recent calls
    (tickets' priority class and token only for signed-in staff)."""
    with get_db().read_session() as session:
        return jsonify(queue_snapshot(session, now(), private=staff_signed_in(session)))
