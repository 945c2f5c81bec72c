"""Figures the screens show must not mislead: no promised time with every counter closed, no
"100 % in time" while someone is already late, no "printed" for a slip still waiting."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.display_server.admin.conftest import admin_site, sign_in
from tests.factories import FakeClock, issue, login, pair_device
from tests.servers import free_port

AppFactory = Callable[..., Flask]


def test_no_time_is_promised_while_every_counter_is_closed(
    make_app: AppFactory, clock: FakeClock
) -> None:
    client = make_app(clock=clock).test_client()
    first = issue(client, "A")
    assert (first["ahead"], first["estimated_wait_minutes"]) == (0, None)  # not "right away"
    officer = login(client, "lan", 1)
    second = issue(client, "A")
    assert (second["ahead"], second["estimated_wait_minutes"]) == (1, 5)
    assert client.post("/api/v1/counters/1/pause", json={"reason": "Họp"}, headers=officer)
    assert issue(client, "A")["estimated_wait_minutes"] is None  # paused counts as closed


def test_within_target_counts_those_already_late_in_line(
    make_app: AppFactory, clock: FakeClock
) -> None:
    app = make_app(site=admin_site(), clock=clock, features=["display_server.admin"])
    client = app.test_client()
    officer = login(client, "lan", 1)
    issue(client, "A")  # target 20 minutes
    issue(client, "A")
    clock.advance(minutes=5)
    assert client.post("/api/v1/counters/1/call-next", headers=officer).status_code == 200
    clock.advance(minutes=25)  # the second has now waited 30 minutes, and still waits
    sign_in(client)
    totals = client.get("/admin/live.json").get_json()["totals"]
    assert totals["within_target_share"] == 0.5  # not 1.0: one of two is already late


def test_the_dashboard_says_an_apology_slip_waits_for_the_printer(
    make_app: AppFactory, clock: FakeClock
) -> None:
    port = free_port()  # the kiosk printer is off
    site = admin_site(
        kiosks=[{"id": "k1", "name": "Sảnh", "printer": f"network://127.0.0.1:{port}"}]
    )
    app = make_app(
        site=site,
        clock=clock,
        features=["display_server.printing", "display_server.admin"],
        LUOT_PRINT_SPOOL_OPTIONS={"poll_interval": None, "timeout": 0.3, "retry_max": 0.5},
    )
    client = app.test_client()
    ticket = client.post(
        "/api/v1/tickets", json={"service": "A"}, headers=pair_device(app, "kiosk", "k1")
    ).get_json()
    clock.advance(minutes=30)
    officer = login(client, "lan", 1)
    slip = client.post(
        f"/api/v1/tickets/{ticket['id']}/apology", json={"reason": "Đông"}, headers=officer
    )
    assert slip.get_json()["print"]["status"] == "pending"
    sign_in(client)
    [late] = client.get("/admin/live.json").get_json()["late"]
    assert (late["apologised"], late["apology_print"]) == (True, "pending")
