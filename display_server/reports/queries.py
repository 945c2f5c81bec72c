"""The report queries: one aggregate scan of the period's tickets and steps, one of their ratings.

Counts and sums are aggregated in SQL; the waiting and service times of each group come back
as one list of milliseconds per group (group_concat / string_agg), so even a year of a busy
office crosses to Python as a few thousand rows. Every figure is defined in the package
docstring (display_server/reports/__init__.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ..models import (
    Counter,
    Office,
    Officer,
    Rating,
    Service,
    StepOutcome,
    Ticket,
    TicketStatus,
    TicketStep,
)
from .figures import Bucket, Figures
from .periods import Grouping, Period
from .sql import LIST_SEPARATOR, TEXT_SEPARATOR, Dialect

DEFAULT_SATISFIED_SCORE = 2  # the rating screen's default levels score 3, 2, 1
UNASSIGNED_LABEL = "Chưa gọi"

RowKey = date | int | str | None


@dataclass(frozen=True)
class ReportRow:
    """One group: its key (a date, an hour 0–23, a service code, a counter number, a username,
    or None for tickets never called), a label for people, and its figures."""

    key: RowKey
    label: str
    figures: Figures

    def key_json(self) -> Any:
        """The key as JSON: dates as YYYY-MM-DD."""
        return self.key.isoformat() if isinstance(self.key, date) else self.key


@dataclass(frozen=True)
class Report:
    """A computed report: the period, the grouping, one row per group and the totals."""

    office_name: str
    office_unit: str
    timezone: str
    period: Period
    grouping: Grouping
    rows: list[ReportRow]
    total: Figures
    satisfied_score: int

    def level_keys(self) -> list[str]:
        """Every rating level that occurs, in a stable order."""
        return sorted(self.total.levels)

    def to_json(self) -> dict[str, Any]:
        """The report as the JSON API answers it."""
        return {
            "office": {
                "name": self.office_name,
                "unit": self.office_unit,
                "timezone": self.timezone,
            },
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "group": self.grouping,
            "satisfied_score": self.satisfied_score,
            "rows": [
                {"key": row.key_json(), "label": row.label, **row.figures.to_json()}
                for row in self.rows
            ],
            "total": self.total.to_json(),
        }


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _key(sql: Dialect, office: Office, period: Period, grouping: Grouping) -> Any:
    """The group key column: what the report's rows are grouped by."""
    if grouping == "day":
        return type_coerce(Ticket.local_day, String)  # converted once per group in Python
    if grouping == "hour":
        return sql.local_hour(Ticket.issued_at, office.timezone, period)
    return {
        "service": TicketStep.service_id,
        "counter": TicketStep.counter_id,
        "officer": TicketStep.officer_id,
    }[grouping]


def report_query(
    session: Session,
    office: Office,
    period: Period,
    groupings: tuple[Grouping, ...],
) -> Any:
    """The aggregate query: one row per group keys and service, with counts, sums and the
    lists of waiting and service times in milliseconds (the service in the keys lets Python
    compare each wait with its own target)."""
    sql = Dialect(session)
    first = TicketStep.position == 1
    done = TicketStep.outcome == StepOutcome.DONE.value
    keys = [_key(sql, office, period, g).label(f"key_{g}") for g in groupings]
    keys += [] if "service" in groupings else [TicketStep.service_id.label("service_id")]
    return (
        select(
            *keys,
            _count_if(first).label("issued"),
            _count_if(and_(first, Ticket.status == TicketStatus.CANCELLED.value)).label(
                "cancelled"
            ),
            _count_if(done).label("served"),
            _count_if(TicketStep.outcome == StepOutcome.NO_SHOW.value).label("no_show"),
            _count_if(TicketStep.outcome == StepOutcome.TRANSFERRED.value).label("transferred"),
            sql.concat(case((first, sql.millis(TicketStep.called_at, Ticket.issued_at)))).label(
                "waits"
            ),
            sql.concat(
                case((done, sql.millis(TicketStep.finished_at, TicketStep.started_at)))
            ).label("services"),
        )
        .select_from(Ticket)
        .join(TicketStep, TicketStep.ticket_id == Ticket.id)
        .where(Ticket.office_id == office.id, Ticket.local_day.between(period.start, period.end))
        .group_by(*keys)
    )


def rating_query(
    session: Session,
    office: Office,
    period: Period,
    groupings: tuple[Grouping, ...],
    satisfied_score: int,
) -> Any:
    """Ratings of the period's steps per group: count, score sum, satisfied, the levels.

    A query of its own rather than an outer join in `report_query`: the join made the main
    scan a second slower on a year, this query takes under half of that."""
    sql = Dialect(session)
    keys = [_key(sql, office, period, g).label(f"key_{g}") for g in groupings]
    return (
        select(
            *keys,
            func.count(Rating.id).label("ratings"),
            func.sum(Rating.score).label("score_sum"),
            _count_if(Rating.score >= satisfied_score).label("satisfied"),
            sql.concat(Rating.level, TEXT_SEPARATOR).label("levels"),
        )
        .select_from(Ticket)
        .join(TicketStep, TicketStep.ticket_id == Ticket.id)
        .join(Rating, Rating.step_id == TicketStep.id)
        .where(Ticket.office_id == office.id, Ticket.local_day.between(period.start, period.end))
        .group_by(*keys)
    )


def _millis(text: str | None) -> list[int]:
    return list(map(int, text.split(LIST_SEPARATOR))) if text else []


def _day(raw: Any) -> date:
    """local_day comes back as text on SQLite and as a date on PostgreSQL."""
    return raw if isinstance(raw, date) else date.fromisoformat(raw)


def collect(
    session: Session,
    office: Office,
    period: Period,
    groupings: tuple[Grouping, ...],
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
) -> dict[tuple[Hashable, ...], Bucket]:
    """One bucket of raw material per combination of group keys found in the period."""
    converters: list[Callable[[Any], Hashable]] = [_day if g == "day" else int for g in groupings]
    targets = {
        service_id: minutes * 60_000
        for service_id, minutes in session.execute(
            select(Service.id, Service.target_wait_minutes).where(Service.office_id == office.id)
        )
        if minutes is not None
    }
    service_at = groupings.index("service") if "service" in groupings else len(groupings)
    buckets: dict[tuple[Hashable, ...], Bucket] = {}

    def key_of(row: Any) -> tuple[Hashable, ...]:
        return tuple(
            None if raw is None else convert(raw)
            for raw, convert in zip(row[: len(groupings)], converters, strict=True)
        )

    for row in session.execute(report_query(session, office, period, groupings)):
        waits = _millis(row.waits)
        target = targets.get(row[service_at])
        part = Bucket(
            issued=int(row.issued),
            cancelled=int(row.cancelled),
            served=int(row.served),
            no_show=int(row.no_show),
            transferred=int(row.transferred),
            waits=waits,
            services=_millis(row.services),
            within_target=sum(1 for wait in waits if wait <= target) if target else 0,
            with_target=len(waits) if target else 0,
        )
        key = key_of(row)
        if key in buckets:
            buckets[key].merge(part)
        else:
            buckets[key] = part
    for row in session.execute(rating_query(session, office, period, groupings, satisfied_score)):
        bucket = buckets.get(key := key_of(row))
        if bucket is None:
            bucket = buckets[key] = Bucket()
        bucket.ratings += int(row.ratings)
        bucket.satisfied += int(row.satisfied)
        bucket.score_sum += int(row.score_sum or 0)
        if row.levels:
            bucket.levels.update(row.levels.split(TEXT_SEPARATOR))
    return buckets


def roll_up(buckets: dict[tuple[Hashable, ...], Bucket], position: int) -> dict[Hashable, Bucket]:
    """Merge buckets that share the key at `position` (e.g. (day, hour, service) → hour)."""
    merged: dict[Hashable, Bucket] = {}
    for key, part in buckets.items():
        into = merged.get(key[position])
        if into is None:
            into = merged[key[position]] = Bucket()
        into.merge(part)
    return merged


# --- labels and order ------------------------------------------------------------------------


def _ordered_keys(
    session: Session,
    office: Office,
    period: Period,
    grouping: Grouping,
    present: Iterable[Hashable],
) -> list[tuple[RowKey, str, Hashable]]:
    """(key shown, label, bucket key) for each row, in the report's order."""
    present = set(present)
    unassigned = [(None, UNASSIGNED_LABEL, None)] if None in present else []
    if grouping == "day":
        return [(d, f"{d:%d/%m/%Y}", d) for d in period.each_day()]
    if grouping == "hour":
        hours = sorted(h for h in present if isinstance(h, int))
        span = range(hours[0], hours[-1] + 1) if hours else range(0)
        return [(h, f"{h:02d}:00–{h + 1:02d}:00", h) for h in span]
    if grouping == "service":
        services = session.execute(
            select(Service.id, Service.code, Service.name, Service.active)
            .where(Service.office_id == office.id)
            .order_by(Service.sort_order, Service.code)
        ).all()
        return [
            (code, name, sid) for sid, code, name, active in services if active or sid in present
        ] + unassigned
    if grouping == "counter":
        counters = session.execute(
            select(Counter.id, Counter.number, Counter.name, Counter.active)
            .where(Counter.office_id == office.id)
            .order_by(Counter.number)
        ).all()
        return [
            (number, name, cid)
            for cid, number, name, active in counters
            if active or cid in present
        ] + unassigned
    officers = session.execute(
        select(Officer.id, Officer.username, Officer.full_name)
        .where(Officer.office_id == office.id, Officer.id.in_([k for k in present if k]))
        .order_by(Officer.full_name, Officer.username)
    ).all()
    return [(username, name, oid) for oid, username, name in officers] + unassigned


def _total(buckets: Iterable[Bucket]) -> Figures:
    """The figures of all buckets together."""
    total = Bucket()
    for part in buckets:
        total.merge(part)
    return total.figures()


def _report(
    session: Session,
    office: Office,
    period: Period,
    grouping: Grouping,
    buckets: dict[Hashable, Bucket],
    satisfied_score: int,
    total: Figures,
) -> Report:
    rows = [
        ReportRow(key, label, buckets.get(bucket_key, Bucket()).figures())
        for key, label, bucket_key in _ordered_keys(session, office, period, grouping, buckets)
    ]
    return Report(
        office_name=office.name,
        office_unit=office.unit,
        timezone=office.timezone,
        period=period,
        grouping=grouping,
        rows=rows,
        total=total,
        satisfied_score=satisfied_score,
    )


def compute_reports(
    session: Session,
    office: Office,
    period: Period,
    groupings: tuple[Grouping, ...],
    *,
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
) -> dict[Grouping, Report]:
    """Several groupings of one period from as few scans as possible: day, hour and service
    come from one scan grouped by all three (their duration lists merge exactly); counter and
    officer need a scan each."""
    reports: dict[Grouping, Report] = {}
    cube = tuple(g for g in ("day", "hour", "service") if g in groupings)
    scans: list[tuple[Grouping, ...]] = [cube] if len(cube) > 1 else [(g,) for g in cube]
    scans += [(g,) for g in ("counter", "officer") if g in groupings]
    total: Figures | None = None
    for keys in scans:
        buckets = collect(session, office, period, keys, satisfied_score)
        # Sorting each bucket first makes every merged list a run of sorted pieces, which the
        # summaries below sort in near-linear time.
        for bucket in buckets.values():
            bucket.waits.sort()
            bucket.services.sort()
        if total is None:
            total = _total(buckets.values())
        for position, grouping in enumerate(keys):
            groups = (
                roll_up(buckets, position)
                if len(keys) > 1
                else {key[0]: bucket for key, bucket in buckets.items()}
            )
            reports[grouping] = _report(
                session, office, period, grouping, groups, satisfied_score, total
            )
    return reports


def compute_report(
    session: Session,
    office: Office,
    period: Period,
    grouping: Grouping,
    *,
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
) -> Report:
    """The report of `period` grouped by `grouping`, with totals over the whole period."""
    return compute_reports(session, office, period, (grouping,), satisfied_score=satisfied_score)[
        grouping
    ]


def period_figures(
    session: Session,
    office: Office,
    period: Period,
    *,
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
) -> Figures:
    """The totals of `period` alone."""
    return compute_report(session, office, period, "day", satisfied_score=satisfied_score).total
