"""Report periods: a range of the office's local days, and the groupings a report can use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from .errors import ReportError

Grouping = Literal["day", "hour", "service", "counter", "officer"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)
MAX_DAYS = 3 * 366
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Period:
    """Local days `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period spans."""
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The calendar month holding `day`, up to and including `day`."""
        return cls(day.replace(day=1), day)


def parse_day(text: str | None, field: str) -> date:
    """A YYYY-MM-DD date, or a ReportError naming `field`."""
    if not text:
        raise ReportError("missing_date", "Thiếu ngày {field} (dạng YYYY-MM-DD).", field=field)
    try:
        # Exactly YYYY-MM-DD: fromisoformat alone also takes 20260101 and 2026-W01-1.
        if not DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ReportError(
            "invalid_date",
            "Ngày {field} không hợp lệ: {value} (cần dạng YYYY-MM-DD).",
            field=field,
            value=text[:20],
        ) from exc


def parse_period(start: str | None, end: str | None) -> Period:
    """The period from two YYYY-MM-DD texts, checked: start ≤ end, at most MAX_DAYS days."""
    period = Period(parse_day(start, "from"), parse_day(end, "to"))
    if period.end < period.start:
        raise ReportError("invalid_period", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
    if period.days > MAX_DAYS:
        raise ReportError(
            "period_too_long", "Khoảng thời gian tối đa là {days} ngày.", days=MAX_DAYS
        )
    return period


def parse_grouping(text: str | None) -> Grouping:
    """One of GROUPINGS (default "day")."""
    value = (text or "day").strip().lower()
    if value not in GROUPINGS:
        raise ReportError(
            "invalid_group",
            "Cách nhóm không hợp lệ: {value}. Chọn một trong: {choices}.",
            value=value[:20],
            choices=", ".join(GROUPINGS),
        )
    return value  # type: ignore[return-value]
