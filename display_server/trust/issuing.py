"""Who may issue a ticket: a paired kiosk and signed-in staff without limits; anyone else (the
phone page, an unpaired kiosk, any program) a few tickets a minute and a handful a day per
client address, so one client can never use up a service's day.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..queue.errors import NotAllowed
from .devices import KIOSK, Device
from .throttle import Limit

ANONYMOUS_BUCKET = "anonymous_ticket"
ANONYMOUS_WINDOW = timedelta(minutes=1)
ANONYMOUS_DAY_BUCKET = "anonymous_ticket_day"
ANONYMOUS_DAY_WINDOW = timedelta(days=1)


class TooManyTickets(Exception):
    """An anonymous client used up its tickets for now; `retry_after` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def anonymous_limits(per_minute: int, per_day: int) -> tuple[Limit, ...]:
    """The allowances of one anonymous client address: a burst cap and a day's cap."""
    return (
        Limit(ANONYMOUS_BUCKET, per_minute, ANONYMOUS_WINDOW),
        Limit(ANONYMOUS_DAY_BUCKET, per_day, ANONYMOUS_DAY_WINDOW),
    )


def issuing_kiosk(device: Device, named: str | None) -> str:
    """The kiosk a device key issues (and prints) at: its own; it may not speak for another."""
    if device.kind != KIOSK:
        raise NotAllowed("not_a_kiosk", "Khóa thiết bị này không phải của một ki-ốt lấy số.")
    if named not in (None, "", device.name):
        raise NotAllowed(
            "wrong_kiosk",
            "Khóa thiết bị này thuộc ki-ốt {kiosk}, không dùng cho ki-ốt khác.",
            kiosk=device.name,
        )
    return device.name


def _one_at_a_time(session: Session, bucket: str, key: str) -> None:
    """Serialise the spending of one client's allowance (SQLite's write lock already does)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    lock = int.from_bytes(hashlib.sha256(f"{bucket}:{key}".encode()).digest()[:8], signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})


def spend_anonymous_ticket(
    session: Session, limits: tuple[Limit, ...], address: str, now: datetime
) -> None:
    """Count one ticket for `address` in this transaction, or raise TooManyTickets."""
    _one_at_a_time(session, ANONYMOUS_BUCKET, address)
    waits = [limit.retry_after(session, address, now) for limit in limits]
    if any(waits):
        raise TooManyTickets(max(waits))
    for limit in limits:
        limit.record(session, address, now)
