"""The day so far, for the supervisor's live dashboard: queues, counters, late citizens, totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from ..events import COUNTER_STATE
from ..models import (
    Counter,
    EventLog,
    Office,
    PrintJobRecord,
    Service,
    Ticket,
    TicketStatus,
    TicketStep,
)
from ..queue.clock import day_start, local_day
from ..queue.presence import SILENT_CLOSED
from ..queue.snapshot import queue_snapshot
from ..queue.views import iso
from .periods import Period
from .queries import DEFAULT_SATISFIED_SCORE, period_figures

APOLOGY_EVENT = "ticket.apology"
PRESENT = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def late_tickets(session: Session, office: Office, now: datetime) -> list[dict[str, Any]]:
    """Citizens still here (waiting, called or at a counter; issued today or left waiting from
    an earlier day) who waited past the target of the service they came for: waited = first
    call (or now, if not called yet) − issue."""
    first = aliased(TicketStep)
    rows = session.execute(
        select(Ticket, first.called_at, Service.code, Service.name, Service.target_wait_minutes)
        .join(Service, Service.id == Ticket.issue_service_id)
        .outerjoin(first, and_(first.ticket_id == Ticket.id, first.position == 1))
        .where(
            Ticket.office_id == office.id,
            Ticket.status.in_(PRESENT),
            Service.target_wait_minutes.is_not(None),
        )
        .order_by(Ticket.issued_at, Ticket.id)
    ).all()
    apologised = (
        set(
            session.scalars(
                select(EventLog.ticket_id).where(
                    EventLog.office_id == office.id,
                    EventLog.kind == APOLOGY_EVENT,
                    EventLog.ticket_id.in_([row[0].id for row in rows]),
                )
            )
        )
        if rows
        else set()
    )
    # What became of each apology slip: the dashboard must not say "printed" while it waits.
    slips: dict[int, str] = {}
    if apologised:
        for ticket_id, state in session.execute(
            select(PrintJobRecord.ticket_id, PrintJobRecord.state)
            .where(PrintJobRecord.kind == "apology", PrintJobRecord.ticket_id.in_(apologised))
            .order_by(PrintJobRecord.id)
        ):
            slips[int(ticket_id)] = str(state)  # the latest slip of a ticket wins
    late = []
    for ticket, called_at, code, name, target in rows:
        waited = ((called_at or now) - ticket.issued_at).total_seconds() / 60
        if waited <= target:
            continue
        late.append(
            {
                "id": ticket.id,
                "number": ticket.number,
                "service": code,
                "service_name": name,
                "status": ticket.status,
                "kiosk": ticket.kiosk,
                "issued_at": iso(office, ticket.issued_at),
                "waited_minutes": round(waited, 1),
                "target_wait_minutes": target,
                "over_minutes": round(waited - target, 1),
                "still_waiting": called_at is None,
                "apologised": ticket.id in apologised,
                "apology_print": slips.get(ticket.id),
            }
        )
    late.sort(key=lambda item: -item["over_minutes"])
    return late


def presence_alerts(session: Session, office: Office, now: datetime) -> list[dict[str, Any]]:
    """Counters whose officer's app has gone silent, and those closed today for that reason."""
    alerts: list[dict[str, Any]] = [
        {"kind": "silent", "counter": number, "name": name, "since": iso(office, since)}
        for number, name, since in session.execute(
            select(Counter.number, Counter.name, Counter.silent_since)
            .where(
                Counter.office_id == office.id,
                Counter.silent_since.is_not(None),
                Counter.state != "closed",
            )
            .order_by(Counter.number)
        )
    ]
    closed = session.execute(
        select(Counter.number, Counter.name, EventLog.at, EventLog.detail)
        .join(Counter, Counter.id == EventLog.counter_id)
        .where(
            EventLog.office_id == office.id,
            EventLog.kind == COUNTER_STATE,
            EventLog.at >= day_start(office, local_day(office, now)),
        )
        .order_by(EventLog.at)
    )
    alerts += [
        {"kind": "closed", "counter": number, "name": name, "since": iso(office, at)}
        for number, name, at, detail in closed
        if isinstance(detail, dict) and detail.get("reason") == SILENT_CLOSED
    ]
    return alerts


def within_target_now(figures_share: tuple[int, int], late: list[dict[str, Any]]) -> float | None:
    """Of today's citizens with a target, the share called in time, counting those still
    waiting who are already past it as late (they cannot be called in time any more)."""
    within, counted = figures_share
    overdue = sum(1 for ticket in late if ticket["still_waiting"])
    total = counted + overdue
    return within / total if total else None


def live_overview(
    session: Session, now: datetime, *, satisfied_score: int = DEFAULT_SATISFIED_SCORE
) -> dict[str, Any]:
    """Waiting per service, each counter, today's totals and the late list, JSON-ready."""
    snapshot = queue_snapshot(session, now)
    office = session.scalars(select(Office).order_by(Office.id).limit(1)).one()
    today = local_day(office, now)
    figures = period_figures(session, office, Period(today, today), satisfied_score=satisfied_score)
    services = [
        {
            key: item[key]
            for key in (
                "code",
                "name",
                "name_en",
                "active",
                "waiting",
                "priority_waiting",
                "longest_wait_minutes",
                "target_wait_minutes",
                "past_target",
            )
        }
        for item in snapshot["services"]
    ]
    counters = []
    for counter in snapshot["counters"]:
        current = counter["current_ticket"]
        step = current["steps"][-1] if current else None
        counters.append(
            {
                "number": counter["number"],
                "name": counter["name"],
                "state": counter["state"],
                "silent": counter["silent"],
                "pause_reason": counter["pause_reason"],
                "services": counter["services"],
                "officer": counter["officer"],
                "ticket": (
                    {
                        "id": current["id"],
                        "number": current["number"],
                        "service": current["service"],
                        "status": current["status"],
                        "called_at": step["called_at"] if step else None,
                        "started_at": step["started_at"] if step else None,
                    }
                    if current
                    else None
                ),
            }
        )
    late = late_tickets(session, office, now)
    return {
        "day": snapshot["day"],
        "updated_at": snapshot["updated_at"],
        "office": snapshot["office"],
        "totals": {
            "issued": figures.issued,
            "waiting": sum(item["waiting"] for item in services),
            "served": figures.served,
            "no_show": figures.no_show,
            "cancelled": figures.cancelled,
            "transferred": figures.transferred,
            "average_wait_minutes": _minutes(figures.wait.mean),
            "average_service_minutes": _minutes(figures.service.mean),
            "longest_wait_minutes": max(
                (item["longest_wait_minutes"] for item in services), default=0
            ),
            "within_target_share": within_target_now(
                (figures.within_target, figures.with_target), late
            ),
            "satisfaction_rate": figures.satisfaction_rate,
            "ratings": figures.ratings,
        },
        "services": services,
        "counters": counters,
        "late": late,
        "alerts": presence_alerts(session, office, now),
    }
