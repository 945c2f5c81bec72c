"""People ahead and estimated waits, from recent service times and the counters open."""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Counter,
    CounterService,
    CounterState,
    Priority,
    StepOutcome,
    Ticket,
    TicketStatus,
    TicketStep,
)

DEFAULT_SERVICE_MINUTES = 5.0
RECENT_STEPS = 30
CACHE_SECONDS = 30.0

_cache: dict[tuple[str, int], tuple[float, float]] = {}
_cache_lock = threading.Lock()


def people_ahead(session: Session, ticket: Ticket) -> int:
    """Waiting tickets of the same service that will be called before `ticket`."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0
    is_priority = ticket.priority != Priority.NONE.value
    same_band_earlier = and_(
        Ticket.front.is_(ticket.front),
        or_(
            Ticket.queued_at < ticket.queued_at,
            and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id),
        ),
    )
    # Tickets sent to the front of the line go before every ordinary one.
    earlier = same_band_earlier if ticket.front else or_(Ticket.front.is_(True), same_band_earlier)
    if is_priority:
        before = and_(Ticket.priority != Priority.NONE.value, earlier)
    else:
        before = or_(Ticket.priority != Priority.NONE.value, earlier)
    count = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.office_id == ticket.office_id,
            Ticket.status == TicketStatus.WAITING.value,
            Ticket.service_id == ticket.service_id,
            Ticket.local_day == ticket.local_day,
            Ticket.id != ticket.id,
            before,
        )
    )
    return int(count or 0)


def average_service_minutes(session: Session, service_id: int, now: datetime) -> float:
    """Mean minutes a counter spends per citizen of this service, over its recent steps."""
    key = (str(session.get_bind().url), service_id)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[1] < CACHE_SECONDS:
        return hit[0]
    rows = session.execute(
        select(TicketStep.called_at, TicketStep.finished_at)
        .where(
            TicketStep.service_id == service_id,
            TicketStep.outcome == StepOutcome.DONE.value,
            TicketStep.finished_at.is_not(None),
            TicketStep.finished_at > now - timedelta(days=14),
        )
        .order_by(TicketStep.finished_at.desc())
        .limit(RECENT_STEPS)
    ).all()
    durations = [
        (finished - called).total_seconds() / 60
        for called, finished in rows
        if called is not None and finished is not None and finished >= called
    ]
    minutes = sum(durations) / len(durations) if durations else DEFAULT_SERVICE_MINUTES
    with _cache_lock:
        _cache[key] = (minutes, time.monotonic())
    return minutes


def forget_average(session: Session, service_id: int) -> None:
    """Drop the cached average after a service finishes, so the next estimate sees it."""
    with _cache_lock:
        _cache.pop((str(session.get_bind().url), service_id), None)


def counters_serving(session: Session, service_id: int) -> tuple[int, int]:
    """How many counters serve the service: (open now, in all)."""
    row = session.execute(
        select(
            func.count(Counter.id),
            func.coalesce(
                func.sum(case((Counter.state == CounterState.OPEN.value, 1), else_=0)), 0
            ),
        )
        .join(CounterService, CounterService.counter_id == Counter.id)
        .where(CounterService.service_id == service_id, Counter.active.is_(True))
    ).one()
    return int(row[1]), int(row[0])


def estimated_wait_minutes(session: Session, ticket: Ticket, ahead: int, now: datetime) -> int:
    """Minutes until `ticket` is likely called, rounded up."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0
    open_now, total = counters_serving(session, ticket.service_id)
    counters = open_now or total or 1
    minutes = average_service_minutes(session, ticket.service_id, now)
    return int(math.ceil(ahead * minutes / counters))
