"""Time in the office's zone: local days and issuing hours are the office's, not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo


class HasTimezone(Protocol):
    """An office, as far as its clock goes."""

    @property
    def timezone(self) -> str: ...


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone called `name` (cached: ZoneInfo lookups read files)."""
    return ZoneInfo(name)


def local_time(office: HasTimezone, at: datetime) -> datetime:
    """`at` in the office's time zone."""
    return at.astimezone(zone(office.timezone))


def local_day(office: HasTimezone, at: datetime) -> date:
    """The office's calendar day at `at`."""
    return local_time(office, at).date()


def day_start(office: HasTimezone, day: date) -> datetime:
    """The moment (UTC) the office's local `day` begins: its local midnight."""
    return datetime.combine(day, time(0), tzinfo=zone(office.timezone)).astimezone(UTC)
