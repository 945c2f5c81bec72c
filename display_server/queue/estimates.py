"""People ahead and estimated waits, from recent service times and the counters open."""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, bindparam, select, text
from sqlalchemy.orm import Session

from ..models import (
    CounterState,
    Priority,
    StepOutcome,
    Ticket,
    TicketStatus,
    TicketStep,
    UTCDateTime,
)
from .records import TicketRow
from .statements import rows, scalar

DEFAULT_SERVICE_MINUTES = 5.0
RECENT_STEPS = 30
CACHE_SECONDS = 30.0

_cache: dict[tuple[str, int], tuple[float, float]] = {}
_cache_lock = threading.Lock()


# Hot path (every issue and every call): plain SQL keeps the per-request overhead small.
# People ahead are counted as index ranges of ix_ticket_next (service, status, priority, day,
# front, queue time, id) rather than by testing every waiting row against one OR expression,
# which cost five times as much with a long line. The line spans days: a ticket left waiting
# from an earlier day is ahead of every ticket of a later day in its class (calls.py's order).
_PRIORITY_CLASSES = ", ".join(f"'{p.value}'" for p in Priority if p is not Priority.NONE)
_WAITING = (
    "SELECT count(*) FROM ticket WHERE office_id = :office AND service_id = :service "
    "AND status = 'waiting'"
)


def _ahead_statement(normal: bool) -> Any:
    same_class = "priority = 'none'" if normal else f"priority IN ({_PRIORITY_CLASSES})"
    same_day = f"{same_class} AND local_day = :day"
    parts = [
        # in the ticket's own class: from an earlier day, sent to the front before it, or
        # queued earlier
        f"({_WAITING} AND {same_class} AND local_day < :day)",
        f"({_WAITING} AND {same_day} AND front > :front)",
        f"({_WAITING} AND {same_day} AND front = :front AND queued_at < :queued)",
        f"({_WAITING} AND {same_day} AND front = :front AND queued_at = :queued AND id < :id)",
    ]
    if normal:  # every priority ticket is called before a normal one (the strict policy)
        parts.append(f"({_WAITING} AND priority IN ({_PRIORITY_CLASSES}))")
    return text("SELECT " + " + ".join(parts)).bindparams(
        bindparam("day", type_=Date()),
        bindparam("queued", type_=UTCDateTime()),
        bindparam("front", type_=Boolean()),
    )


_AHEAD = {normal: _ahead_statement(normal) for normal in (True, False)}
# A counter whose officer's app has gone silent (display_server.presence) is not calling anyone.
_SERVING = text(
    """
    SELECT counter.number, counter.name,
           CASE WHEN counter.silent_since IS NOT NULL AND counter.state <> 'closed'
                THEN 'silent' ELSE counter.state END
    FROM counter
    JOIN counter_service ON counter_service.counter_id = counter.id
    WHERE counter_service.service_id = :service AND counter.active
    ORDER BY counter.number
    """
)


_RECENT = (
    select(TicketStep.called_at, TicketStep.finished_at)
    .where(
        TicketStep.service_id == bindparam("service_id"),
        TicketStep.outcome == StepOutcome.DONE.value,
        TicketStep.finished_at.is_not(None),
        TicketStep.finished_at > bindparam("since", type_=UTCDateTime()),
    )
    .order_by(TicketStep.finished_at.desc())
    .limit(RECENT_STEPS)
)


def people_ahead(session: Session, ticket: Ticket | TicketRow) -> int:
    """Waiting tickets of the same service that will be called before `ticket`.

    Priority tickets go first (the strict policy; under the ratio policy this overstates the
    wait of a priority ticket slightly), then tickets left from an earlier day, then tickets
    sent to the front, then by queue time.
    """
    if ticket.status != TicketStatus.WAITING.value:
        return 0
    count = scalar(
        session,
        _AHEAD[ticket.priority == Priority.NONE.value],
        {
            "office": ticket.office_id,
            "service": ticket.service_id,
            "day": ticket.local_day,
            "id": ticket.id,
            "front": bool(ticket.front),
            "queued": ticket.queued_at,
        },
    )
    return int(count or 0)


def serving_counters(session: Session, service_id: int) -> list[tuple[int, str, str]]:
    """The counters that serve a service: (number, name, state), by number; the state is
    "silent" for an open or paused counter whose officer's app has gone silent."""
    return [
        (int(n), str(name), str(state))
        for n, name, state in rows(session, _SERVING, {"service": service_id})
    ]


def _engine_key(session: Session) -> str:
    """Which database a cached figure belongs to (tests run several in one process)."""
    return str(session.get_bind().engine.url)


def average_service_minutes(session: Session, service_id: int, now: datetime) -> float:
    """Mean minutes a counter spends per citizen of this service, over its recent steps."""
    key = (_engine_key(session), service_id)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[1] < CACHE_SECONDS:
        return hit[0]
    recent = rows(session, _RECENT, {"service_id": service_id, "since": now - timedelta(days=14)})
    durations = [
        (finished - called).total_seconds() / 60
        for called, finished in recent
        if called is not None and finished is not None and finished >= called
    ]
    minutes = sum(durations) / len(durations) if durations else DEFAULT_SERVICE_MINUTES
    with _cache_lock:
        _cache[key] = (minutes, time.monotonic())
    return minutes


def forget_average(session: Session, service_id: int) -> None:
    """Drop the cached average after a service finishes, so the next estimate sees it."""
    with _cache_lock:
        _cache.pop((_engine_key(session), service_id), None)


def estimated_wait_minutes(
    session: Session,
    ticket: Ticket | TicketRow,
    ahead: int,
    now: datetime,
    serving: list[tuple[int, str, str]] | None = None,
) -> int | None:
    """Minutes until `ticket` is likely called: ahead × recent minutes each ÷ counters open.

    None while no counter of its service is open (closed, paused or its app silent): nobody
    can promise a time then, least of all "right away"."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0
    if serving is None:
        serving = serving_counters(session, ticket.service_id)
    open_now = sum(1 for _, _, state in serving if state == CounterState.OPEN.value)
    if not open_now:
        return None
    minutes = average_service_minutes(session, ticket.service_id, now)
    return int(math.ceil(ahead * minutes / open_now))
