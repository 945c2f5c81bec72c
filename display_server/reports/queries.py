"""Reports from material: the groups of a period in the report's order, with labels and totals.

The material of each day comes from a live scan (scans.py) or a stored rollup (rollups.py);
both give the same groups, merged here into rows. Every figure is defined in the package
docstring (display_server/reports/__init__.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Counter, Office, Officer, Service
from .figures import Bucket, Figures
from .material import KIND_KEYS, group, kind_of
from .periods import Grouping, Period
from .rollups import RollupStore, material

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


def targets_of(session: Session, office: Office) -> dict[int, int]:
    """Each service's target wait in milliseconds, by service id (services with one)."""
    return {
        service_id: minutes * 60_000
        for service_id, minutes in session.execute(
            select(Service.id, Service.target_wait_minutes).where(Service.office_id == office.id)
        )
        if minutes is not None
    }


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
    rollups: RollupStore | None = None,
) -> dict[Grouping, Report]:
    """Several groupings of one period from as little material as possible: day, hour and
    service come from one cut by all three (their duration lists merge exactly); counter and
    officer need one each. With `rollups`, closed days come from their stored rollups."""
    targets = targets_of(session, office)
    reports: dict[Grouping, Report] = {}
    total: Figures | None = None
    for kind in [k for k in KIND_KEYS if any(kind_of(g) == k for g in groupings)]:
        days = material(session, office, period, kind, rollups)
        wanted = [g for g in groupings if kind_of(g) == kind]
        grouped = group(days, kind, wanted, targets, satisfied_score)
        # Each group's lists are runs of sorted pieces, which sort in near-linear time.
        for groups in grouped.values():
            for bucket in groups.values():
                bucket.waits.sort()
                bucket.services.sort()
        if total is None:  # every kind holds every ticket, step and rating once
            total = _total(min(grouped.values(), key=len).values())
        for grouping, groups in grouped.items():
            reports[grouping] = _report(
                session, office, period, grouping, groups, satisfied_score, total
            )
    return {g: reports[g] for g in groupings}


def compute_report(
    session: Session,
    office: Office,
    period: Period,
    grouping: Grouping,
    *,
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
    rollups: RollupStore | None = None,
) -> Report:
    """The report of `period` grouped by `grouping`, with totals over the whole period."""
    return compute_reports(
        session, office, period, (grouping,), satisfied_score=satisfied_score, rollups=rollups
    )[grouping]


def period_figures(
    session: Session,
    office: Office,
    period: Period,
    *,
    satisfied_score: int = DEFAULT_SATISFIED_SCORE,
) -> Figures:
    """The totals of `period` alone."""
    return compute_report(session, office, period, "day", satisfied_score=satisfied_score).total
