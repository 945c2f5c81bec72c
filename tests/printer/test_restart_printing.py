"""The contract, with a real `luot serve` and the TCP fake printer: a pending ticket print
survives the server being stopped and started, and is dropped, not printed, once its ticket is
no longer waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.factories import PASSWORD
from tests.printer.fakeprinter import FakePrinter
from tests.printer.test_kiosk_printing import at, kiosk_site
from tests.printer.test_print_journal import number
from tests.servers import LiveServer, free_port

FakeFactory = Callable[..., FakePrinter]


def serve_next(server: LiveServer, officer: dict[str, str]) -> str:
    """Call the next citizen at counter 1 and serve them to the end; their number."""
    called = httpx.post(f"{server.url}/api/v1/counters/1/call-next", json={}, headers=officer)
    assert called.status_code == 200, called.text
    for step in ("start", "finish"):
        answer = httpx.post(f"{server.url}/api/v1/counters/1/{step}", json={}, headers=officer)
        assert answer.status_code == 200, answer.text
    served: str = called.json()["number"]
    return served


def sign_in(server: LiveServer) -> dict[str, str]:
    """Officer lan at counter 1."""
    body = {"username": "lan", "password": PASSWORD, "counter": 1}
    answer = httpx.post(f"{server.url}/api/v1/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def pending_jobs(server: LiveServer) -> int:
    """Jobs kiosk k1's printer still owes, as /api/v1/printers says."""
    [printer] = httpx.get(f"{server.url}/api/v1/printers").json()["printers"]
    pending: int = printer["pending"]
    return pending


def test_pending_prints_survive_a_restart_and_served_tickets_never_print(
    live_server: Callable[..., LiveServer], fake_printer: FakeFactory
) -> None:
    port = free_port()  # printer down: nothing listens there yet
    site = kiosk_site(port, mode="text")  # text mode: the number is readable in the bytes
    server = live_server(site=site)
    tickets: list[dict[str, Any]] = []
    for _ in range(4):
        answer = httpx.post(f"{server.url}/api/v1/tickets", json={"service": "A"}, headers=at("k1"))
        assert answer.status_code == 201, answer.text
        assert answer.json()["print"]["status"] == "pending"
        tickets.append(answer.json())
    numbers = [ticket["number"] for ticket in tickets]
    assert serve_next(server, sign_in(server)) == numbers[0]  # served before the restart

    server.stop()
    server.start()
    assert serve_next(server, sign_in(server)) == numbers[1]  # served after it, printer down
    fake = fake_printer(port=port)  # the printer comes back

    printed = fake.wait_for_tickets(2, timeout=60)
    deadline = time.monotonic() + 30
    while pending_jobs(server) and time.monotonic() < deadline:
        fake.wait_for_tickets(3, timeout=0.2)  # a third slip would be a wrong one
    assert pending_jobs(server) == 0
    assert [number(slip) for slip in fake.tickets] == numbers[2:]
    assert len(printed) == 2
