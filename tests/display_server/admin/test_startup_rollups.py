"""`luot serve` makes the closed days' rollups at start, before any supervisor asks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.factories import FakeClock, issue, login, make_site

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_serve_builds_yesterdays_rollups_without_a_report_request(
    make_app: Callable[..., Any], live_server: Callable[..., Any], tmp_path: Any
) -> None:
    yesterday = (datetime.now(HANOI) - timedelta(days=1)).replace(hour=9, minute=0)
    clock = FakeClock(yesterday.astimezone(UTC))
    app = make_app(clock=clock)
    client = app.test_client()
    headers = login(client, "lan", 1)
    for _ in range(3):
        issue(client, "A")
    for _ in range(2):
        clock.advance(minutes=4)
        assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 200
        clock.advance(minutes=6)
        assert client.post("/api/v1/counters/1/finish", headers=headers).status_code == 200
    database = app.config["LUOT_DATABASE_URL"].removeprefix("sqlite:///")
    app.extensions["luot.db"].dispose()

    def rollups() -> list[tuple[str, str]]:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT kind, local_day FROM report_day").fetchall()

    assert rollups() == []
    live_server(make_site(), database=f"sqlite:///{database}")
    deadline = time.monotonic() + 20
    day = yesterday.date().isoformat()

    def yesterdays() -> set[str]:
        return {kind for kind, built in rollups() if built == day}

    while yesterdays() != {"cube", "counter", "officer"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert yesterdays() == {"cube", "counter", "officer"}
    today = datetime.now(HANOI).date().isoformat()
    assert all(built < today for _, built in rollups())  # today is still open: never rolled up
