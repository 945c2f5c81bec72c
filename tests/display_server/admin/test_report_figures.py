"""Report figures equal figures recomputed in plain Python from the times the test drove."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from display_server.queue.lookups import get_office
from display_server.reports import (
    Grouping,
    Period,
    Report,
    compute_report,
    compute_reports,
    percentile,
)

from .scenario import DAYS, Record, check_figures, expected

PERIOD = Period(date(2026, 11, 23), date(2026, 11, 26))


def _report(app: Flask, grouping: Grouping) -> Report:
    with app.extensions["luot.db"].read_session() as session:
        return compute_report(session, get_office(session), PERIOD, grouping)


def test_the_day_was_played(day_app: tuple[Flask, dict[int, Record]]) -> None:
    _, records = day_app
    fates = {record.fate for record in records.values()}
    outcomes = {step.outcome for record in records.values() for step in record.steps}
    assert {"done", "no_show", "transfer", "cancel"} <= fates
    assert {"done", "no_show", "transferred", "cancelled"} <= outcomes
    assert sum(1 for r in records.values() for s in r.steps if s.rating) > 10


@pytest.mark.parametrize("grouping", ["day", "hour", "service", "counter", "officer"])
def test_figures_per_group(day_app: tuple[Flask, dict[int, Record]], grouping: Grouping) -> None:
    app, records = day_app
    report = _report(app, grouping)
    want = expected(records, grouping)
    rows = {row.key: row for row in report.rows}
    keys = {k for k, e in want.items() if e.issued or e.served or e.no_show or e.ratings}
    assert keys <= set(rows)
    for key, figures in want.items():
        check_figures(rows[key].figures, figures)
    check_figures(report.total, expected(records, "total")["total"])


def test_days_without_tickets_are_rows_of_zeros(day_app: tuple[Flask, dict[int, Record]]) -> None:
    report = _report(day_app[0], "day")
    assert [row.key for row in report.rows] == PERIOD.each_day()
    empty = [row for row in report.rows if row.key not in DAYS]
    assert all(row.figures.issued == 0 and row.figures.wait.count == 0 for row in empty)


def test_one_scan_for_several_groupings_gives_the_same_figures(
    day_app: tuple[Flask, dict[int, Record]],
) -> None:
    app, _ = day_app
    with app.extensions["luot.db"].read_session() as session:
        together = compute_reports(session, get_office(session), PERIOD, ("day", "hour", "service"))
    for grouping in together:
        alone = _report(app, grouping)
        assert together[grouping].rows == alone.rows
        assert together[grouping].total == alone.total


def test_percentile_method_is_linear_interpolation() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


def test_names_and_order_of_rows(day_app: tuple[Flask, dict[int, Record]]) -> None:
    app, _ = day_app
    services = _report(app, "service")
    assert [row.key for row in services.rows][:4] == ["A", "B", "C", "D"]
    assert services.rows[0].label == "Hộ tịch"
    officers = _report(app, "officer")
    labels = [row.label for row in officers.rows]
    assert "Nguyễn Thị Lan" in labels and "Lê Thị Mai" not in labels
