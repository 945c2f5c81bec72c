"""The counter app's speed as an officer feels it, on Xvfb against a real `luot serve` (loopback).

Measures start-up to a ready window (a fresh `python` process until the sign-in page is drawn;
goal ≤ 2 s), sign-in to the serving page with its queue, and button press → new state on screen:
"Gọi tiếp" until the new number is shown, "Hoàn thành" until the counter shows idle (goal
p99 ≤ 150 ms). Prints a table.
Run: .venv/bin/python bench/bench_counter_app.py [--presses 200] [--paced 60] [--starts 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
from common import KIOSK_HEADERS, ROOT, Server, percentile, table, with_kiosk

sys.path.insert(0, str(ROOT))
from tests.factories import PASSWORD, make_site  # noqa: E402

CHILD = """
import sys, time
from counter_app.config import Settings
from counter_app.ui.app import CounterApp
app = CounterApp(Settings(server=sys.argv[1], counter=1))
while not (app.page == "signin" and app.signin_page.winfo_ismapped()):
    app.update()
app.update_idletasks()
print("ready", flush=True)
app.close()
"""


def start_xvfb() -> subprocess.Popen[bytes]:
    """A private X display; sets DISPLAY."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    number = b""
    while not number.endswith(b"\n"):
        number += os.read(read_end, 16)
    os.close(read_end)
    os.environ["DISPLAY"] = f":{number.decode().strip()}"
    return process


def cold_starts(url: str, count: int) -> list[float]:
    """Milliseconds from spawning `python` to the sign-in page drawn, `count` times."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        times.append((time.perf_counter() - began) * 1000)
        child.wait(30)
        assert line.startswith("ready"), line
    return times


def pump(app: object, until: Callable[[], bool], timeout: float = 10.0) -> None:
    """Run the window's loop until `until()`."""
    deadline = time.perf_counter() + timeout
    update = app.update  # type: ignore[attr-defined]
    while not until():
        update()
        if time.perf_counter() > deadline:
            desk = app.desk  # type: ignore[attr-defined]
            message = app.main_page.message.cget("text")  # type: ignore[attr-defined]
            raise TimeoutError(f"the window did not change: {desk.busy} {message!r}")
        time.sleep(0.0005)


def idle_until(app: object, seconds: float) -> None:
    """Let the window run for `seconds`."""
    end = time.perf_counter() + seconds
    pump(app, lambda: time.perf_counter() >= end)


def presses(url: str, count: int, pause: float) -> tuple[float, list[float], list[float]]:
    """Sign-in time, then call-next and finish press → screen latencies in ms.

    `pause` seconds pass between presses (the window keeps running), as between an officer's
    clicks; with 0 the next press lands while the refresh after the last one is still going.
    """
    from counter_app.config import Settings
    from counter_app.state import Action
    from counter_app.ui.app import CounterApp

    with httpx.Client(base_url=url) as http:
        for index in range(count):
            http.post(
                "/api/v1/tickets", json={"service": "AB"[index % 2]}, headers=KIOSK_HEADERS
            ).raise_for_status()
    app = CounterApp(Settings(server=url, counter=1))
    try:
        pump(app, lambda: app.page == "signin")
        app.signin_page.username_entry.insert(0, "lan")
        app.signin_page.password_entry.insert(0, PASSWORD)
        began = time.perf_counter()
        app.signin_page.button.invoke()
        pump(
            app,
            lambda: (
                app.page == "main"
                and app.desk.snapshot is not None
                and app.main_page.queue.text.get("1.0", "2.0").strip() != ""
            ),
        )
        sign_in_ms = (time.perf_counter() - began) * 1000
        number = app.main_page.ticket.number
        buttons = app.main_page.actions
        calls, finishes = [], []
        for _ in range(count):
            idle_until(app, pause)
            pump(app, lambda: buttons.button(Action.CALL_NEXT).cget("state") == "normal")
            before = number.cget("text")
            began = time.perf_counter()
            buttons.button(Action.CALL_NEXT).invoke()
            pump(app, lambda before=before: number.cget("text") != before)
            calls.append((time.perf_counter() - began) * 1000)
            pump(app, lambda: buttons.button(Action.FINISH).cget("state") == "normal")
            idle_until(app, pause)
            began = time.perf_counter()
            buttons.button(Action.FINISH).invoke()
            pump(app, lambda: number.cget("text") == "—")
            finishes.append((time.perf_counter() - began) * 1000)
        return sign_in_ms, calls, finishes
    finally:
        app.close()


def api_alone(url: str, count: int) -> list[float]:
    """The same call-next + finish through httpx alone: the server's share of the latency."""
    with httpx.Client(base_url=url) as http:
        for index in range(count):
            http.post(
                "/api/v1/tickets", json={"service": "CD"[index % 2]}, headers=KIOSK_HEADERS
            ).raise_for_status()
        token = http.post(
            "/api/v1/auth/login", json={"username": "binh", "password": PASSWORD, "counter": 3}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        times = []
        for _ in range(count):
            began = time.perf_counter()
            http.post("/api/v1/counters/3/call-next", headers=headers).raise_for_status()
            times.append((time.perf_counter() - began) * 1000)
            http.post("/api/v1/counters/3/finish", headers=headers).raise_for_status()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=200, help="back-to-back presses")
    parser.add_argument("--paced", type=int, default=60, help="presses 0.3 s apart")
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    display = start_xvfb()
    server = Server(with_kiosk(make_site())).start()
    try:
        starts = cold_starts(server.url, args.starts)
        sign_in_ms, calls, finishes = presses(server.url, args.presses, 0.0)
        _, paced_calls, paced_finishes = presses(server.url, args.paced, 0.3)
        alone = api_alone(server.url, args.presses)
    finally:
        server.stop()
        display.terminate()
    rows = [
        [
            "start-up to ready window (cold process)",
            f"{statistics.median(starts):.0f}",
            f"{max(starts):.0f}",
            str(len(starts)),
            "≤ 2000 ms",
        ],
        ["sign-in to serving page with queue", f"{sign_in_ms:.0f}", "—", "1", ""],
        [
            "Gọi tiếp → new number shown (back to back)",
            f"{statistics.median(calls):.1f}",
            f"{percentile(calls, 99):.1f}",
            str(len(calls)),
            "p99 ≤ 150 ms",
        ],
        [
            "Hoàn thành → counter idle shown (back to back)",
            f"{statistics.median(finishes):.1f}",
            f"{percentile(finishes, 99):.1f}",
            str(len(finishes)),
            "p99 ≤ 150 ms",
        ],
        [
            "Gọi tiếp → new number shown (0.3 s apart)",
            f"{statistics.median(paced_calls):.1f}",
            f"{percentile(paced_calls, 99):.1f}",
            str(len(paced_calls)),
            "p99 ≤ 150 ms",
        ],
        [
            "Hoàn thành → counter idle shown (0.3 s apart)",
            f"{statistics.median(paced_finishes):.1f}",
            f"{percentile(paced_finishes, 99):.1f}",
            str(len(paced_finishes)),
            "p99 ≤ 150 ms",
        ],
        [
            "(server alone: POST call-next via httpx)",
            f"{statistics.median(alone):.1f}",
            f"{percentile(alone, 99):.1f}",
            str(len(alone)),
            "",
        ],
    ]
    print(table(rows, ["counter app (ms)", "p50", "p99/max", "n", "goal"]))


if __name__ == "__main__":
    main()
