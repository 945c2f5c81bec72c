"""Reports as administration asks for them: the satisfied score from [rating], through the
app's report cache, with the days before the office's today read from (and stored as) rollups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, current_app

from ..queue.clock import local_day
from ..queue.lookups import get_office
from ..reports import Grouping, Period, Report, ReportCache, RollupStore, compute_reports
from .blueprint import db, now
from .ratings import satisfied_score

CACHE_KEY = "luot.admin.reports"


def report_cache(app: Any) -> ReportCache:
    """The app's report cache (made on first use)."""
    cache: ReportCache | None = app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = app.extensions[CACHE_KEY] = ReportCache()
    return cache


def reports(period: Period, groupings: tuple[Grouping, ...]) -> dict[Grouping, Report]:
    """The reports of `period` for `groupings`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    score = satisfied_score(app)
    database = db()
    with database.read_session() as session:
        office = get_office(session)
        rollups = RollupStore(local_day(office, now()), database.write_session)
        return report_cache(app).reports(
            session, office, period, groupings, satisfied_score=score, rollups=rollups
        )


def build_rollups(app: Flask, days: int = 366) -> Period:
    """Store the rollups of the closed days among the last `days`, so the first report after
    start-up (or after midnight) reads them instead of the tickets; returns the period.

    For a background thread at start-up; safe beside requests and other processes."""
    with app.app_context():
        database = db()
        with database.read_session() as session:
            office = get_office(session)
            today = local_day(office, now())
            period = Period(today - timedelta(days=days), today - timedelta(days=1))
            store = RollupStore(today, database.write_session)
            compute_reports(session, office, period, ("day", "counter", "officer"), rollups=store)
        return period
