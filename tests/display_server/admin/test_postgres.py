"""The report queries on PostgreSQL: the same synthetic days, the same figures as recomputed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from display_server.queue.lookups import get_office
from display_server.reports import Grouping, Period, compute_reports, live_overview

from .conftest import NOON, admin_site
from .scenario import check_figures, expected, play

pytestmark = pytest.mark.postgres


def test_reports_on_postgresql(make_app: Callable[..., Flask], pg_url: str) -> None:
    from tests.factories import FakeClock

    app = make_app(
        site=admin_site(), database=pg_url, features=["display_server.admin"], clock=FakeClock(NOON)
    )
    records = play(app.extensions["luot.db"], tickets_per_day=30, seed=5)
    period = Period(date(2026, 11, 24), date(2026, 11, 25))
    groupings: tuple[Grouping, ...] = ("day", "hour", "service", "counter", "officer")
    with app.extensions["luot.db"].read_session() as session:
        reports = compute_reports(session, get_office(session), period, groupings)
        overview = live_overview(session, NOON)
    for grouping in groupings:
        rows = {row.key: row for row in reports[grouping].rows}
        for key, figures in expected(records, grouping).items():
            check_figures(rows[key].figures, figures)
        check_figures(reports[grouping].total, expected(records, "total")["total"])
    assert overview["totals"]["issued"] == sum(1 for r in records.values() if r.day.day == 25)
    client = app.test_client()
    from .conftest import sign_in

    sign_in(client)
    page = client.get("/admin/reports?from=2026-11-24&to=2026-11-25&group=hour")
    assert page.status_code == 200 and page.data.count(b"<svg") == 4
    assert client.get("/cong-khai").status_code == 200
