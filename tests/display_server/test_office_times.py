"""Every time the API gives is in office time (with the office's UTC offset), never bare UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from display_server.events import Event
from display_server.voice.production import announcement_fields
from display_server.voice.settings import VoiceSettings
from tests.display_server.test_daily_backup import at_hanoi, backup_site
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import FAST
from tests.printer.test_kiosk_printing import at, kiosk_site

AppFactory = Callable[..., Flask]


def test_printer_times_are_office_time(make_app: AppFactory) -> None:
    with FakePrinter() as fake:
        app = make_app(
            site=kiosk_site(fake.port),
            features=["display_server.printing"],
            LUOT_PRINT_SPOOL_OPTIONS=FAST,
        )
        client = app.test_client()
        client.post("/api/v1/tickets", json={"service": "A"}, headers=at("k1"))
        [row] = client.get("/api/v1/printers").get_json()["printers"]
    assert row["last_printed_at"].endswith("+07:00")
    assert row["checked_at"].endswith("+07:00")


def test_announcement_time_is_office_time() -> None:
    ticket = {"number": "A012", "counter": 3, "issued_at": "2026-11-25T08:15:00+07:00"}
    event = Event(
        1, "ticket.called", 1, {"ticket": ticket}, datetime(2026, 11, 25, 1, 20, tzinfo=UTC)
    )
    fields = announcement_fields(event, VoiceSettings())
    assert fields is not None
    assert fields["time"].isoformat() == "2026-11-25T08:20:00+07:00"


def test_backup_health_is_office_time(make_app: AppFactory, tmp_path: Path, clock: object) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    app = make_app(backup_site(folder), features=["display_server.backup.serve"], clock=clock)
    daily = app.extensions["luot.backup"]
    assert daily.run_if_due(at_hanoi(20, 12, 31)) is not None
    assert daily.health(at_hanoi(20, 13))["last_success"] == "2026-11-20T12:31:00+07:00"
