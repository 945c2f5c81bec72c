"""The live scans: one aggregate query over some days' tickets and steps, one over their ratings.

Counts are aggregated in SQL; the waiting and service times of each group come back as one
list of milliseconds per group (group_concat / string_agg), so even a year of a busy office
crosses to Python as some ten thousand rows. Every figure is defined in the package docstring
(display_server/reports/__init__.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ..models import Office, Rating, StepOutcome, Ticket, TicketStatus, TicketStep
from .material import COUNTS, KIND_KEYS, DayMaterial, Kind
from .periods import Grouping, Period
from .sql import LIST_SEPARATOR, Dialect


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _key(sql: Dialect, office: Office, period: Period, grouping: Grouping) -> Any:
    """A group key column."""
    if grouping == "hour":
        return sql.local_hour(Ticket.issued_at, office.timezone, period)
    return {
        "service": TicketStep.service_id,
        "counter": TicketStep.counter_id,
        "officer": TicketStep.officer_id,
    }[grouping]


def _days_clause(days: Sequence[date]) -> ColumnElement[bool]:
    if (days[-1] - days[0]).days + 1 == len(days):
        return Ticket.local_day.between(days[0], days[-1])
    return Ticket.local_day.in_(days)


def _day(raw: Any) -> date:
    """local_day comes back as text on SQLite and as a date on PostgreSQL."""
    return raw if isinstance(raw, date) else date.fromisoformat(raw)


def _millis(text: str | None) -> list[int]:
    return list(map(int, text.split(LIST_SEPARATOR))) if text else []


def scan(
    session: Session, office: Office, days: Sequence[date], kind: Kind
) -> dict[date, DayMaterial]:
    """The material of each of `days` (sorted) for `kind`, from the tickets themselves."""
    found: dict[date, DayMaterial] = {day: DayMaterial() for day in days}
    if not days:
        return found
    sql = Dialect(session)
    period = Period(days[0], days[-1])
    keys = [_key(sql, office, period, g) for g in KIND_KEYS[kind]]
    if "service" not in KIND_KEYS[kind]:
        keys.append(TicketStep.service_id)  # each wait is compared with its own service's target
    day = type_coerce(Ticket.local_day, String)  # converted once per group in Python
    where = and_(Ticket.office_id == office.id, _days_clause(days))
    first = TicketStep.position == 1
    done = TicketStep.outcome == StepOutcome.DONE.value
    steps = (
        select(
            day,
            *keys,
            _count_if(first),
            _count_if(and_(first, Ticket.status == TicketStatus.CANCELLED.value)),
            _count_if(done),
            _count_if(TicketStep.outcome == StepOutcome.NO_SHOW.value),
            _count_if(TicketStep.outcome == StepOutcome.TRANSFERRED.value),
            sql.concat(case((first, sql.millis(TicketStep.called_at, Ticket.issued_at)))),
            sql.concat(case((done, sql.millis(TicketStep.finished_at, TicketStep.started_at)))),
        )
        .select_from(Ticket)
        .join(TicketStep, TicketStep.ticket_id == Ticket.id)
        .where(where)
        .group_by(day, *keys)
    )
    width = len(keys)
    for row in session.execute(steps):
        counts = [int(count) for count in row[1 + width : 1 + width + COUNTS]]
        waits, services = row[1 + width + COUNTS :]
        found[_day(row[0])].add(row[1 : 1 + width], counts, _millis(waits), _millis(services))
    # Ratings in a query of their own: an outer join made the scan above a second slower on a
    # year, this one takes under half of that.
    rating_keys = keys[: len(KIND_KEYS[kind])]
    ratings = (
        select(day, *rating_keys, Rating.score, Rating.level, func.count(Rating.id))
        .select_from(Ticket)
        .join(TicketStep, TicketStep.ticket_id == Ticket.id)
        .join(Rating, Rating.step_id == TicketStep.id)
        .where(where)
        .group_by(day, *rating_keys, Rating.score, Rating.level)
    )
    for row in session.execute(ratings):
        *key, score, level, count = row[1:]
        found[_day(row[0])].ratings.append([*key, int(score), str(level), int(count)])
    return found
