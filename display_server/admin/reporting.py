"""Reports as administration asks for them: the satisfied score from [rating], through the
app's report cache."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..queue.lookups import get_office
from ..reports import Grouping, Period, Report, ReportCache
from .blueprint import db
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
    with db().read_session() as session:
        return report_cache(app).reports(
            session, get_office(session), period, groupings, satisfied_score=score
        )
