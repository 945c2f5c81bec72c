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


def test_rollups_on_postgresql(make_app: Callable[..., Flask], pg_url: str) -> None:
    from sqlalchemy import insert, select

    from display_server.models import EventLog, Office, ReportDay
    from display_server.reports import RollupStore
    from tests.factories import FakeClock

    from .test_rollups import (
        DAYS,
        MORNING_AFTER,
        PERIOD,
        assert_same,
        rate_late,
        rollup_rows,
        unrated_done_step,
    )

    app = make_app(
        site=admin_site(),
        database=pg_url,
        features=["display_server.admin"],
        clock=FakeClock(MORNING_AFTER),
    )
    play(app.extensions["luot.db"], tickets_per_day=15, seed=5)
    db = app.extensions["luot.db"]
    # A writer holding the event log: the marks cannot be known safe, so nothing is stored.
    with db.engine.connect() as writer:
        with writer.begin():
            office_id = writer.scalar(select(Office.id))
            writer.execute(insert(EventLog).values(office_id=office_id, at=MORNING_AFTER, kind="x"))
            with db.read_session() as session:
                store = RollupStore(PERIOD.end, db.write_session)
                reports = compute_reports(
                    session, get_office(session), PERIOD, ("day",), rollups=store
                )
            assert reports["day"].total.issued == 30
            with db.read_session() as session:
                assert session.scalars(select(ReportDay)).first() is None
    before = assert_same(app)
    assert len(rollup_rows(app)) == 3 * (PERIOD.days - 1)
    rate_late(app, unrated_done_step(app, DAYS[1]))
    after = assert_same(app)
    assert after["officer"].total.ratings == before["officer"].total.ratings + 1
