"""What a screen starts from (the queue snapshot, the latest announcements) and the waiting counts
the event stream sends after ticket events."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from ..db import Database
from ..models import Priority, Service, Ticket, TicketStatus
from ..queue.clock import utc_now
from ..queue.lookups import get_office
from ..queue.snapshot import queue_snapshot
from ..queue.views import iso

VOICE_EXTENSION = "luot.voice"
ANNOUNCEMENTS_IN_SNAPSHOT = 10


def app_clock(app: Flask) -> Callable[[], datetime]:
    """The app's clock (tests may set LUOT_CLOCK)."""
    clock: Callable[[], datetime] | None = app.config.get("LUOT_CLOCK")
    return clock or utc_now


TIMEZONE_KEY = "luot.screens.timezone"
TIMEZONE_SECONDS = 60.0  # administration may change the office's zone; seen within a minute


def office_timezone(app: Flask) -> str:
    """The office's time zone name, read at most once a minute (every event's time needs it)."""
    cached: tuple[float, str] | None = app.extensions.get(TIMEZONE_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[0] < TIMEZONE_SECONDS:
        return cached[1]
    db: Database = app.extensions["luot.db"]
    with db.read_session() as session:
        name = get_office(session).timezone
    app.extensions[TIMEZONE_KEY] = (now, name)
    return name


def screen_snapshot(app: Flask) -> dict[str, Any]:
    """The queue as GET /api/v1/queue shows it, plus the voice feature's latest announcements."""
    db: Database = app.extensions["luot.db"]
    with db.read_session() as session:
        # Every screen reads the stream without signing in: the public form, never a token.
        queue = queue_snapshot(session, app_clock(app)(), private=False)
        payload: dict[str, Any] = {"queue": queue}
    voice = app.extensions.get(VOICE_EXTENSION)
    if voice is not None:
        payload["voice"] = {"enabled": bool(voice.enabled)}
        payload["announcements"] = [a.to_json() for a in voice.latest(ANNOUNCEMENTS_IN_SNAPSHOT)]
    else:
        payload["voice"] = {"enabled": False}
        payload["announcements"] = []
    return payload


def waiting_counts(app: Flask) -> dict[str, Any]:
    """Waiting tickets per service (a day's leftovers too): how many, how many priority, the
    longest wait."""
    db: Database = app.extensions["luot.db"]
    now = app_clock(app)()
    with db.read_session() as session:
        office = get_office(session)
        rows = session.execute(
            select(
                Ticket.service_id,
                func.count(Ticket.id),
                func.count(Ticket.id).filter(Ticket.priority != Priority.NONE.value),
                func.min(Ticket.issued_at),
            )
            .where(
                Ticket.office_id == office.id,
                Ticket.status == TicketStatus.WAITING.value,
            )
            .group_by(Ticket.service_id)
        ).all()
        by_service = {row[0]: row for row in rows}
        services = session.scalars(
            select(Service).where(Service.office_id == office.id).order_by(Service.sort_order)
        ).all()
        result = []
        for service in services:
            row = by_service.get(service.id)
            oldest: datetime | None = row[3] if row else None
            result.append(
                {
                    "code": service.code,
                    "waiting": int(row[1]) if row else 0,
                    "priority_waiting": int(row[2]) if row else 0,
                    "longest_wait_minutes": (
                        round((now - oldest).total_seconds() / 60, 1) if oldest else 0
                    ),
                }
            )
        return {"services": result, "updated_at": iso(office, now)}
