"""CSV and XLSX exports: Vietnamese headers, real Excel types, the report's own values."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import pytest
from flask import Flask
from openpyxl import load_workbook

from display_server.queue.lookups import get_office
from display_server.reports import Grouping, Period, Report, compute_report

from .conftest import sign_in
from .scenario import Record

QUERY = "from=2026-11-23&to=2026-11-26"


def _report(app: Flask, grouping: Grouping) -> Report:
    with app.extensions["luot.db"].read_session() as session:
        return compute_report(
            session, get_office(session), Period(date(2026, 11, 23), date(2026, 11, 26)), grouping
        )


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def test_xlsx_by_day_has_dates_numbers_and_percentages(
    day_app: tuple[Flask, dict[int, Record]],
) -> None:
    app, _ = day_app
    client = app.test_client()
    sign_in(client)
    response = client.get(f"/admin/reports/export.xlsx?{QUERY}&group=day")
    assert response.status_code == 200
    assert (response.mimetype or "").endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Báo cáo"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == [
        "Ngày",
        "Số phiếu đã cấp",
        "Lượt đã phục vụ",
        "Lượt vắng mặt",
        "Số phiếu đã hủy",
        "Lượt chuyển tiếp",
    ]
    column = {name: index for index, name in enumerate(header)}
    report = _report(app, "day")
    rows = list(sheet.iter_rows(min_row=2, values_only=False))
    assert len(rows) == len(report.rows) + 1
    for cells, row in zip(rows, report.rows, strict=False):
        day_cell = cells[0]
        assert day_cell.is_date and isinstance(day_cell.value, datetime)
        assert day_cell.value.date() == row.key
        assert day_cell.number_format == "dd/mm/yyyy"
        issued = cells[column["Số phiếu đã cấp"]]
        assert isinstance(issued.value, int) and issued.value == row.figures.issued
        wait = cells[column["Thời gian chờ trung vị (phút)"]]
        if row.figures.wait.median is None:
            assert wait.value is None
        else:
            assert isinstance(wait.value, float)
            assert wait.value == pytest.approx(row.figures.wait.median / 60)
            assert wait.number_format == "0.0"
        share = cells[column["Tỷ lệ chờ trong thời hạn (%)"]]
        if row.figures.within_target_share is not None:
            assert share.value == pytest.approx(row.figures.within_target_share)
            assert share.number_format == "0.0%"
    total = rows[-1]
    assert total[0].value == "Tổng cộng"
    assert total[column["Số phiếu đã cấp"]].value == report.total.issued
    assert total[column["Thời gian chờ P90 (phút)"]].value == pytest.approx(
        _minutes(report.total.wait.p90)
    )
    info = book["Thông tin"]
    facts = {row[0]: row[1] for row in info.iter_rows(values_only=True) if row and row[0]}
    assert facts["Từ ngày"] == datetime(2026, 11, 23)
    assert facts["Đến ngày"] == datetime(2026, 11, 26)
    assert isinstance(facts["Lập lúc"], datetime)


def test_xlsx_by_hour_uses_times_and_by_service_codes(
    day_app: tuple[Flask, dict[int, Record]],
) -> None:
    app, _ = day_app
    client = app.test_client()
    sign_in(client)
    book = load_workbook(
        io.BytesIO(client.get(f"/admin/reports/export.xlsx?{QUERY}&group=hour").data)
    )
    first = book["Báo cáo"]["A2"]
    assert isinstance(first.value, time) and first.number_format == "hh:mm"
    book = load_workbook(
        io.BytesIO(client.get(f"/admin/reports/export.xlsx?{QUERY}&group=service").data)
    )
    sheet = book["Báo cáo"]
    assert [sheet["A1"].value, sheet["B1"].value] == ["Mã dịch vụ", "Dịch vụ"]
    assert [sheet["A2"].value, sheet["B2"].value] == ["A", "Hộ tịch"]
    levels = [c.value for c in sheet[1] if str(c.value).startswith("Đánh giá: ")]
    assert "Đánh giá: Rất hài lòng" in levels


def test_csv_has_bom_vietnamese_headers_and_the_same_figures(
    day_app: tuple[Flask, dict[int, Record]],
) -> None:
    app, _ = day_app
    client = app.test_client()
    sign_in(client)
    response = client.get(f"/admin/reports/export.csv?{QUERY}&group=officer")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Tên đăng nhập", "Cán bộ", "Số phiếu đã cấp"]
    report = _report(app, "officer")
    by_user = {row[0]: row for row in rows[1:]}
    for row in report.rows:
        line = by_user["" if row.key is None else str(row.key)]
        assert int(line[2]) == row.figures.issued
        mean = _minutes(row.figures.service.mean)
        assert line[rows[0].index("Thời gian phục vụ trung bình (phút)")] == (
            "" if mean is None else f"{mean:.2f}"
        )
    assert rows[-1][0] == "Tổng cộng"
