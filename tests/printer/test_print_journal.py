"""Print jobs live in the database: taken up again after a restart, dropped once of no use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from display_server.cli import main as luot
from display_server.models import PrintJobRecord
from display_server.printing import EXTENSION_KEY, PrintingExtension
from tests.factories import login
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import FAST
from tests.printer.test_kiosk_printing import at, kiosk_site
from tests.servers import free_port, write_site

AppFactory = Callable[..., Flask]
FakeFactory = Callable[..., FakePrinter]


def text_app(make_app: AppFactory, port: int, database: str | None = None) -> Flask:
    """Kiosk k1 printing in text mode (numbers readable in the bytes) to 127.0.0.1:`port`."""
    return make_app(
        site=kiosk_site(port, mode="text"),
        database=database,
        features=["display_server.printing"],
        LUOT_PRINT_SPOOL_OPTIONS=FAST,
    )


def jobs(app: Flask) -> dict[str, tuple[str, bool]]:
    """Every print job's key with its state and whether it may have gone out."""
    with app.extensions["luot.db"].read_session() as session:
        rows = session.scalars(select(PrintJobRecord).order_by(PrintJobRecord.id))
        return {row.key: (row.state, row.sent) for row in rows}


def serve_next(client: Any, officer: dict[str, str]) -> str:
    """Call the next ticket at counter 1 and serve it to the end; its number."""
    called = client.post("/api/v1/counters/1/call-next", headers=officer)
    assert called.status_code == 200, called.get_json()
    assert client.post("/api/v1/counters/1/start", headers=officer).status_code == 200
    assert client.post("/api/v1/counters/1/finish", headers=officer).status_code == 200
    number: str = called.get_json()["number"]
    return number


def test_pending_slips_print_after_a_restart_unless_their_ticket_moved_on(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    port = free_port()  # the printer is off
    first = text_app(make_app, port)
    client = first.test_client()
    issued = []
    for _ in range(4):
        response = client.post("/api/v1/tickets", json={"service": "A"}, headers=at("k1"))
        assert response.get_json()["print"]["status"] == "pending"
        issued.append(response.get_json())
    officer = login(client, "lan", 1)
    assert serve_next(client, officer) == issued[0]["number"]  # served while the printer is off
    cancel = client.post(
        f"/api/v1/tickets/{issued[3]['id']}/cancel", json={"token": issued[3]["token"]}
    )
    assert cancel.status_code == 200
    assert {state for state, _ in jobs(first).values()} == {"pending"}
    first.extensions[EXTENSION_KEY].shutdown()  # `luot serve` stopped

    fake = fake_printer(port=port)  # the printer is back; the server starts again
    second = text_app(make_app, port, database=first.config["LUOT_DATABASE_URL"])
    extension: PrintingExtension = second.extensions[EXTENSION_KEY]
    assert extension.resume() == 4
    printed = fake.wait_for_tickets(2)
    spool = extension.spools["k1"]
    assert spool.job(f"ticket-{issued[3]['id']}") is not None
    assert spool.job(f"ticket-{issued[3]['id']}").wait(5).value == "dropped"  # type: ignore[union-attr]
    assert [number(ticket) for ticket in fake.tickets] == [t["number"] for t in issued[1:3]]
    assert len(printed) == 2
    states = jobs(second)
    assert [states[f"ticket-{t['id']}"][0] for t in issued] == [
        "dropped",
        "printed",
        "printed",
        "dropped",
    ]
    assert extension.resume() == 0  # nothing left for another start


def number(ticket: bytes) -> str:
    """The ticket number of a text-mode slip (printed in the large font)."""
    start = ticket.index(b"\x1d!") + 3
    return ticket[start : ticket.index(b"\n", start)].decode("cp1258")


def test_a_slip_that_may_have_printed_comes_back_as_a_reprint(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    port = free_port()
    first = text_app(make_app, port)
    ticket = (
        first.test_client()
        .post("/api/v1/tickets", json={"service": "A"}, headers=at("k1"))
        .get_json()
    )
    key = f"ticket-{ticket['id']}"
    # As if the server died while the bytes were going out.
    with first.extensions["luot.db"].write_session() as session:
        row = session.scalars(select(PrintJobRecord).where(PrintJobRecord.key == key)).one()
        row.sent = True
    first.extensions[EXTENSION_KEY].shutdown()
    fake = fake_printer(port=port)
    second = text_app(make_app, port, database=first.config["LUOT_DATABASE_URL"])
    extension: PrintingExtension = second.extensions[EXTENSION_KEY]
    extension.resume()
    job = extension.spools["k1"].job(key)
    assert job is not None and job.wait(5).value == "printed"
    [slip] = fake.tickets
    assert b" IN L" in slip.split(b"\n")[0] and number(slip) == ticket["number"]
    assert jobs(second)[key] == ("printed", True)


def test_reprint_route_marks_the_slip(make_app: AppFactory, fake_printer: FakeFactory) -> None:
    fake = fake_printer()
    app = text_app(make_app, fake.port)
    client = app.test_client()
    ticket = client.post("/api/v1/tickets", json={"service": "C"}, headers=at("k1")).get_json()
    again = client.post(
        f"/api/v1/tickets/{ticket['id']}/print", json={"token": ticket["token"]}, headers=at("k1")
    )
    assert again.get_json()["print"]["status"] == "printed"  # settled: recorded in the database
    first, second = fake.tickets
    assert b"IN L" not in first and b" IN L" in second
    assert [state for state, _ in jobs(app).values()] == ["printed", "printed"]


def test_print_test_names_a_web_server_and_exits_non_zero(fake_printer: FakeFactory) -> None:
    web = fake_printer(mode="http")
    target = f"network://127.0.0.1:{web.port}"
    assert luot(["print-test", "--printer", target, "--wait", "0.5"]) == 1
    assert web.tickets == []


def test_print_test_of_a_printer_that_hangs_up_unconfirmed(fake_printer: FakeFactory) -> None:
    # It printed, then hung up before answering: the test re-sends (marked) and says so.
    flaky = fake_printer(hang_ups=1)
    assert luot(["print-test", "--printer", f"network://127.0.0.1:{flaky.port}"]) == 0
    assert len(flaky.wait_for_tickets(2)) == 2


def test_print_test_tries_every_kiosk_of_the_site(
    fake_printer: FakeFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    up = fake_printer()
    site = kiosk_site(up.port)
    site["kiosks"].append(
        {"id": "k3", "name": "Ki-ốt cổng", "printer": f"network://127.0.0.1:{free_port()}"}
    )
    path = write_site(tmp_path / "site.toml", site)
    assert luot(["print-test", "--site", str(path), "--wait", "1"]) == 1
    out = capsys.readouterr().out
    assert len(up.tickets) == 1
    assert "k1 (Ki-ốt sảnh)" in out and ": printed" in out
    assert "k3 (Ki-ốt cổng)" in out and "NOT printed (printer offline" in out
    site["kiosks"].pop()
    assert luot(["print-test", "--site", str(write_site(path, site))]) == 0
