"""The SQL that differs between SQLite and PostgreSQL: durations, local hours, list aggregates.

SQLite stores times as UTC text ("YYYY-MM-DD HH:MM:SS.ffffff"): durations come from
julianday(), local hours from strftime() with the zone's offset in force at that instant
(a CASE over the zone's transitions inside the period). PostgreSQL does both natively.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, case, cast, func, literal
from sqlalchemy.orm import Session

from ..queue.clock import zone
from .periods import Period

LIST_SEPARATOR = ","


class Dialect:
    """Expressions for the session's engine."""

    def __init__(self, session: Session) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def millis(self, later: Any, earlier: Any) -> ColumnElement[int]:
        """`later - earlier` in whole milliseconds (rounded), NULL when either is NULL."""
        if self.sqlite:
            days = func.julianday(later) - func.julianday(earlier)
            return cast(func.round(days * 86_400_000.0), Integer)
        return cast(func.round(func.extract("epoch", later - earlier) * 1000), Integer)

    def concat(self, value: Any, separator: str = LIST_SEPARATOR) -> ColumnElement[str]:
        """All non-NULL values of the group joined by `separator` (NULL for none)."""
        if self.sqlite:
            return func.group_concat(value, separator)
        return func.string_agg(cast(value, String), separator)

    def local_hour(self, column: Any, timezone: str, period: Period) -> ColumnElement[int]:
        """The hour (0–23) of a stored UTC time on the office's clock."""
        if not self.sqlite:
            return cast(func.extract("hour", func.timezone(timezone, column)), Integer)
        segments = offsets(timezone, period)
        modifier: Any = literal(_modifier(segments[-1][1]))
        if len(segments) > 1:
            modifier = case(
                *[(column < until, _modifier(minutes)) for until, minutes in segments[:-1]],
                else_=_modifier(segments[-1][1]),
            )
        return cast(func.strftime("%H", column, modifier), Integer)


def _modifier(minutes: int) -> str:
    return f"{minutes:+d} minutes"


def offsets(timezone: str, period: Period) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (minutes) around the period: [(in force until, minutes), …];
    the last entry's time is the end of the scan."""
    tz = zone(timezone)
    start = datetime.combine(period.start - timedelta(days=1), time(), UTC)
    end = datetime.combine(period.end + timedelta(days=2), time(), UTC)

    def minutes(at: datetime) -> int:
        offset = at.astimezone(tz).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    segments: list[tuple[datetime, int]] = []
    at, current = start, minutes(start)
    while at < end:
        step = at + timedelta(hours=1)
        if minutes(step) != current:
            low, high = at, step  # the change happens in (low, high]: find it to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if minutes(middle) == current else (low, middle)
            high = high.replace(microsecond=0)  # zones change on whole seconds
            segments.append((high, current))
            current = minutes(high)
        at = step
    segments.append((end, current))
    return segments
