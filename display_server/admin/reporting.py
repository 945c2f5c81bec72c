"""Reports as administration asks for them: the satisfied score from [rating], through the
app's report cache, with the days before the office's today read from (and stored as) rollups."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..queue.clock import local_day
from ..queue.lookups import get_office
from ..reports import Grouping, Period, Report, ReportCache, RollupStore
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
