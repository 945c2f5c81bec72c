"""GET /api/v1/reports for programs, and POST /api/v1/tickets/{id}/apology."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from display_server.models import AuditLog, EventLog
from display_server.queue.clock import local_time
from display_server.queue.lookups import get_office
from display_server.reports import Grouping, Period, compute_report
from printer.apology import ApologyContent, apology_bytes
from tests.factories import FakeClock, issue, login, pair_device
from tests.printer.fakeprinter import FakePrinter

from .conftest import admin_site
from .scenario import Record

QUERY = "from=2026-11-23&to=2026-11-26"


def test_reports_need_a_supervisor_token(day_app: tuple[Flask, dict[int, Record]]) -> None:
    app, _ = day_app
    client = app.test_client()
    response = client.get(f"/api/v1/reports?{QUERY}")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    officer = login(client, "lan")
    response = client.get(f"/api/v1/reports?{QUERY}", headers=officer)
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("to=2026-11-26", "missing_date"),
        ("from=2026-02-30&to=2026-03-01", "invalid_date"),
        ("from=2026-11-26&to=2026-11-01", "invalid_period"),
        ("from=2020-01-01&to=2026-01-01", "period_too_long"),
        (f"{QUERY}&group=week", "invalid_group"),
        (f"{QUERY}&format=pdf", "invalid_format"),
        (f"{QUERY}&grup=day", "unknown_parameter"),
    ],
)
def test_bad_parameters_answer_422_json(
    day_app: tuple[Flask, dict[int, Record]], query: str, code: str
) -> None:
    client = day_app[0].test_client()
    response = client.get(f"/api/v1/reports?{query}", headers=login(client, "mai"))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == code and body["message"]


def test_english_error_message(day_app: tuple[Flask, dict[int, Record]]) -> None:
    client = day_app[0].test_client()
    response = client.get(
        "/api/v1/reports?from=x&to=2026-11-26&lang=en", headers=login(client, "mai")
    )
    assert response.get_json()["message"] == "Invalid from date: x (use YYYY-MM-DD)."


@pytest.mark.parametrize("grouping", ["day", "hour", "service", "counter", "officer"])
def test_json_equals_the_report(
    day_app: tuple[Flask, dict[int, Record]], grouping: Grouping
) -> None:
    app, _ = day_app
    client = app.test_client()
    response = client.get(f"/api/v1/reports?{QUERY}&group={grouping}", headers=login(client, "mai"))
    assert response.status_code == 200
    body = response.get_json()
    with app.extensions["luot.db"].read_session() as session:
        report = compute_report(
            session, get_office(session), Period(date(2026, 11, 23), date(2026, 11, 26)), grouping
        )
    assert body["group"] == grouping and body["from"] == "2026-11-23"
    assert body["rows"] == [
        {"key": row.key_json(), "label": row.label, **row.figures.to_json()} for row in report.rows
    ]
    total = body["total"]
    assert total["issued"] == report.total.issued
    assert report.total.wait.median is not None
    assert total["wait_minutes"]["median"] == round(report.total.wait.median / 60, 2)
    assert total["satisfaction"]["levels"] == report.total.levels
    assert body["generated_at"].startswith("2026-11-25T12:00")


def test_csv_and_xlsx_formats(day_app: tuple[Flask, dict[int, Record]]) -> None:
    client = day_app[0].test_client()
    headers = login(client, "mai")
    response = client.get(f"/api/v1/reports?{QUERY}&group=service&format=csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").startswith("Mã dịch vụ,Dịch vụ,Số phiếu đã cấp")
    response = client.get(f"/api/v1/reports?{QUERY}&format=xlsx", headers=headers)
    book = load_workbook(io.BytesIO(response.data))
    assert book["Báo cáo"]["A1"].value == "Ngày"


def test_the_api_is_described(day_app: tuple[Flask, dict[int, Record]]) -> None:
    document = day_app[0].test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/reports" in document["paths"]
    assert "/api/v1/tickets/{ticket_id}/apology" in document["paths"]
    assert "Report" in document["components"]["schemas"]


# --- apology slips -----------------------------------------------------------------------------


def test_apology_without_printing_is_409(make_app: Callable[..., Flask], clock: FakeClock) -> None:
    app = make_app(site=admin_site(), features=["display_server.admin"], clock=clock)
    client = app.test_client()
    ticket = issue(client, "A")
    clock.advance(minutes=35)
    headers = login(client, "lan", counter=1)
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/apology", json={"reason": "Đông"}, headers=headers
    )
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "printing_not_configured",
        "message": "Chưa cấu hình máy in tại ki-ốt nên không in được phiếu xin lỗi.",
    }
    assert (
        client.post(f"/api/v1/tickets/{ticket['id']}/apology", json={"reason": "Đông"}).status_code
        == 401
    )
    assert (
        client.post(f"/api/v1/tickets/{ticket['id']}/apology", json={}, headers=headers).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/tickets/99999/apology", json={"reason": "x"}, headers=headers
        ).status_code
        == 404
    )


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def test_apology_prints_on_the_kiosk_printer_and_is_logged(
    make_app: Callable[..., Flask],
    clock: FakeClock,
    fake_printer: FakePrinter,
) -> None:
    site = admin_site(
        kiosks=[{"id": "k1", "name": "Sảnh", "printer": f"network://127.0.0.1:{fake_printer.port}"}]
    )
    app = make_app(
        site=site,
        features=["display_server.printing", "display_server.admin"],
        clock=clock,
        LUOT_PRINT_SPOOL_OPTIONS={"poll_interval": None},
    )
    client = app.test_client()
    kiosk = pair_device(app, "kiosk", "k1")  # only the kiosk itself prints there
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    assert fake_printer.wait_for_tickets(1)
    clock.advance(minutes=47)
    headers = login(client, "lan", counter=1)
    client.post("/api/v1/counters/1/call-next", headers=headers)
    reason = "Hệ thống dữ liệu dân cư bị gián đoạn"
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/apology", json={"reason": f"  {reason} "}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["print"]["status"] == "printed"
    assert (body["kiosk"], body["waited_minutes"], body["target_wait_minutes"]) == ("k1", 47, 20)
    slips = fake_printer.wait_for_tickets(2)
    with app.extensions["luot.db"].read_session() as session:
        office = get_office(session)
        content = ApologyContent(
            office.name, office.unit, "A001", "Hộ tịch", 47, 20, reason, local_time(office, clock())
        )
        assert slips[-1] == apology_bytes(content, 576)
        event = session.scalars(select(EventLog).where(EventLog.kind == "ticket.apology")).one()
        assert event.ticket_id == ticket["id"] and event.detail["reason"] == reason
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "apology.print")).one()
        assert audit.target == "A001" and audit.detail["print_status"] == "printed"
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/apology",
        json={"reason": "x", "kiosk": "k9"},
        headers=headers,
    )
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_kiosk"
