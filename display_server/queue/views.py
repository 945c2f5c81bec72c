"""The JSON shapes of tickets, counters and services: the contract every client reads.

A ticket's token (with its status URL) and its priority class are private: they go to whoever
holds the token and to signed-in staff. Everyone else gets `public_ticket_view`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..models import Counter, Priority, Service, Ticket, TicketStatus
from .clock import HasTimezone, local_time, utc_now
from .estimates import estimated_wait_minutes, people_ahead, serving_counters
from .records import (
    Lookup,
    OfficeLike,
    StepRow,
    TicketRow,
    current_ticket,
    load_ticket,
    lookup,
)

# What only the ticket's holder and signed-in staff may read: the token lets its holder cancel,
# reprint and rate; the priority class says who is disabled or pregnant. "prioritised" stays.
PRIVATE_TICKET_FIELDS = frozenset({"token", "status_url", "priority"})


def iso(office: HasTimezone, at: datetime | None) -> str | None:
    """`at` as ISO 8601 in the office's zone (with its UTC offset)."""
    return local_time(office, at).isoformat(timespec="seconds") if at else None


def with_base_url(view: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A view built for an event (relative status URL) made absolute for an HTTP answer."""
    if view["status_url"].startswith("/"):
        return {**view, "status_url": base_url.rstrip("/") + view["status_url"]}
    return view


def status_url(office: OfficeLike, ticket: TicketRow | Ticket, base_url: str | None) -> str:
    """Where the citizen follows the ticket (the QR code on the printed ticket)."""
    base = (office.public_url or base_url or "").rstrip("/")
    return f"{base}/t/{ticket.token}"


def service_view(service: Service) -> dict[str, Any]:
    """A service as clients see it."""
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "active": service.active,
        "issue_start": service.issue_start.strftime("%H:%M") if service.issue_start else None,
        "issue_end": service.issue_end.strftime("%H:%M") if service.issue_end else None,
        "daily_limit": service.daily_limit,
        "target_wait_minutes": service.target_wait_minutes,
        "follow_up": list(service.follow_up or []),
    }


def step_view(office: OfficeLike, step: StepRow, names: Lookup) -> dict[str, Any]:
    """One step of a ticket with every time recorded for it."""
    counter = names.counter(step.counter_id)
    officer = names.officer(step.officer_id)
    return {
        "id": step.id,
        "position": step.position,
        "service": names.service(step.service_id).code,
        "counter": counter[0] if counter else None,
        "officer": {"username": officer[0], "full_name": officer[1]} if officer else None,
        "queued_at": iso(office, step.queued_at),
        "called_at": iso(office, step.called_at),
        "recall_count": step.recall_count,
        "started_at": iso(office, step.started_at),
        "finished_at": iso(office, step.finished_at),
        "outcome": step.outcome,
    }


def ticket_view(
    session: Session,
    ticket: TicketRow | Ticket,
    *,
    base_url: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A ticket with its place in line, its steps and what a printed ticket needs (private: its
    token and priority class; see `public_ticket_view`)."""
    now = now or utc_now()
    row = ticket if isinstance(ticket, TicketRow) else load_ticket(session, ticket.id)
    names = lookup(session)
    office = names.office(row.office_id)
    service = names.service(row.service_id)
    waiting = row.status == TicketStatus.WAITING.value
    ahead = people_ahead(session, row) if waiting else None
    serving = serving_counters(session, row.service_id)
    counter = names.counter(row.counter_id)
    return {
        "id": row.id,
        "number": row.number,
        "service": service.code,
        "service_name": service.name,
        "service_name_en": service.name_en,
        "status": row.status,
        "closed_reason": row.closed_reason,
        "priority": row.priority,
        "prioritised": row.priority != Priority.NONE.value,
        "channel": row.channel,
        "kiosk": row.kiosk,
        "issued_at": iso(office, row.issued_at),
        "local_day": row.local_day.isoformat(),
        "ahead": ahead,
        "estimated_wait_minutes": (
            estimated_wait_minutes(session, row, ahead, now, serving) if ahead is not None else None
        ),
        "target_wait_minutes": service.target_wait_minutes,
        "waited_minutes": round((now - row.issued_at).total_seconds() / 60, 1),
        "token": row.token,
        "status_url": status_url(office, row, base_url),
        "counter": counter[0] if counter else None,
        "counter_name": counter[1] if counter else None,
        "planned": list(row.planned or []),
        "steps": [step_view(office, step, names) for step in row.steps],
        "office": {"name": office.name, "unit": office.unit, "timezone": office.timezone},
        "serving_counters": [{"number": n, "name": name} for n, name, _ in serving],
    }


def public_ticket_view(view: dict[str, Any]) -> dict[str, Any]:
    """A ticket view without what only its holder and staff may read (token, status URL, class)."""
    return {key: value for key, value in view.items() if key not in PRIVATE_TICKET_FIELDS}


def audience_view(view: dict[str, Any], *, private: bool) -> dict[str, Any]:
    """`view` as is for the ticket's holder or staff (`private`), else its public form."""
    return view if private else public_ticket_view(view)


def counter_view(
    session: Session, counter: Counter, *, with_ticket: bool = True, private: bool = False
) -> dict[str, Any]:
    """A counter's state, its officer, services and (optionally) its current ticket, whose
    private fields only signed-in staff get (`private`)."""
    current: dict[str, Any] | None = None
    if with_ticket:
        ticket = current_ticket(session, counter.id)
        current = audience_view(ticket_view(session, ticket), private=private) if ticket else None
    return {
        "number": counter.number,
        "name": counter.name,
        "state": counter.state,
        "pause_reason": counter.pause_reason,
        # Open or paused, but its officer's app has not been heard from for a while.
        "silent": counter.silent_since is not None and counter.state != "closed",
        "services": [link.service.code for link in counter.service_links],
        "officer": (
            {"username": counter.officer.username, "full_name": counter.officer.full_name}
            if counter.officer
            else None
        ),
        "current_ticket": current,
    }
