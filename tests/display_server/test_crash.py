"""A server killed with SIGKILL mid-load restarts at once having lost and repeated nothing."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from typing import Any

import httpx
import psutil
import pytest

from tests.factories import PASSWORD, make_site


def listeners_on(port: int) -> list[int]:
    """Pids of processes listening on `port`."""
    return [
        conn.pid or -1
        for conn in psutil.net_connections(kind="tcp")
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN
    ]


@pytest.mark.slow
def test_sigkill_mid_load_loses_nothing(live_server, tmp_path):
    site = make_site()
    site["voice"] = {"enabled": True, "play_on_server": False}
    server = live_server(site, data_dir=tmp_path / "crash")
    issued: list[dict[str, Any]] = []
    called: list[tuple[int, int]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def kiosk(service: str) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            while not stop.is_set():
                try:
                    response = client.post("/api/v1/tickets", json={"service": service})
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    with lock:
                        issued.append(response.json())

    def counter(number: int, username: str) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            token = client.post(
                "/api/v1/auth/login",
                json={"username": username, "password": PASSWORD, "counter": number},
            ).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            while not stop.is_set():
                try:
                    response = client.post(f"/api/v1/counters/{number}/call-next", json={})
                    if response.status_code == 200:
                        with lock:
                            called.append((response.json()["id"], number))
                        client.post(f"/api/v1/counters/{number}/finish", json={})
                except httpx.HTTPError:
                    return

    workers = [threading.Thread(target=kiosk, args=(s,)) for s in "AABC"]
    workers += [threading.Thread(target=counter, args=(n, u)) for n, u in ((1, "lan"), (2, "hung"))]
    for worker in workers:
        worker.start()
    # Kill in the thick of it: once real load has gone through, however slow the machine is.
    deadline = time.monotonic() + 60
    while (len(issued) < 60 or len(called) < 6) and time.monotonic() < deadline:
        time.sleep(0.05)
    children = server.children()
    server.kill()
    killed_at = time.monotonic()
    stop.set()
    for worker in workers:
        worker.join(10)
    assert len(issued) > 50 and len(called) > 5

    # Nothing the server started may keep the port (or the database) after it died.
    psutil.wait_procs(children, timeout=10)
    assert [
        child.pid
        for child in children
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
    ] == []
    assert listeners_on(server.port) == []
    server.start()
    assert time.monotonic() - killed_at < 15

    with httpx.Client(base_url=server.url, timeout=10) as client:
        for ticket in issued:
            stored = client.get(f"/api/v1/tickets/{ticket['id']}").json()
            assert (stored["number"], stored["issued_at"]) == (
                ticket["number"],
                ticket["issued_at"],
            )
        assert [t for t, n in Tally(t for t, _ in called).items() if n > 1] == []
        for ticket_id, counter_number in called:
            steps = client.get(f"/api/v1/tickets/{ticket_id}").json()["steps"]
            assert [s["counter"] for s in steps if s["called_at"]] == [counter_number]
        # Numbering goes on past the highest number handed out before the crash (a ticket
        # committed but not yet acknowledged when the server died may sit in between).
        after = client.post("/api/v1/tickets", json={"service": "A"}).json()["number"]
        highest = max(int(t["number"][1:]) for t in issued if t["service"] == "A")
        assert int(after[1:]) > highest
        numbers = [t["number"] for t in issued] + [after]
        assert len(numbers) == len(set(numbers))
