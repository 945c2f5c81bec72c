"""The daily backup of `luot serve`: schedule, retention, one run across processes, status."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from display_server.backup.daily import BackupSettings
from display_server.backup.postgres import check_postgres_backup
from display_server.site import SiteError
from tests.display_server.test_openapi import check
from tests.factories import make_site

HANOI = timedelta(hours=7)


def at_hanoi(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, given in Hanoi's office time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - HANOI


def backup_site(folder: Path, **table: object) -> dict[str, object]:
    site = make_site()
    site["backup"] = {"dir": str(folder), "time": "12:30", "keep_days": 3, **table}
    return site


def daily_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("luot-daily-"))


def test_one_backup_a_day_and_only_keep_days_of_them(make_app, tmp_path, clock):
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "notes.txt").write_text("the clerk's own file")
    (folder / "luot-2026-11-01-090000.db").write_text("a backup taken by hand")
    app = make_app(backup_site(folder), features=["display_server.backup.serve"], clock=clock)
    daily = app.extensions["luot.backup"]

    first = daily.run_if_due(at_hanoi(20, 9))  # never backed up: the missed slot is taken now
    assert first is not None and first.name == "luot-daily-2026-11-20.db"
    assert daily.run_if_due(at_hanoi(20, 12, 29)) is None  # before today's slot
    for day in range(20, 27):
        assert daily.run_if_due(at_hanoi(day, 12, 31)) == folder / f"luot-daily-2026-11-{day}.db"
        assert daily.run_if_due(at_hanoi(day, 17)) is None  # once a day
    assert daily_files(folder) == [f"luot-daily-2026-11-{day}.db" for day in (24, 25, 26)]
    assert (folder / "notes.txt").exists() and (folder / "luot-2026-11-01-090000.db").exists()
    with sqlite3.connect(folder / "luot-daily-2026-11-26.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    health = daily.health(at_hanoi(26, 13))
    assert health["state"] == "ok"
    assert health["last_file"] == str(folder / "luot-daily-2026-11-26.db")
    assert daily.health(at_hanoi(28, 14))["state"] == "overdue"


def test_a_second_server_process_does_not_take_the_same_backup(make_app, tmp_path, clock):
    folder = tmp_path / "usb"
    folder.mkdir()
    first = make_app(backup_site(folder), features=["display_server.backup.serve"])
    database = first.config["LUOT_DATABASE_URL"]
    second = make_app(
        backup_site(folder), database=database, features=["display_server.backup.serve"]
    )
    one, two = first.extensions["luot.backup"], second.extensions["luot.backup"]
    now = at_hanoi(25, 12, 31)
    assert one._claim(now)  # the first process has started its backup…
    assert two.run_if_due(now) is None  # …so the second leaves it alone
    assert two.health(now)["state"] == "running"
    assert daily_files(folder) == []
    # A claim left by a process that died is taken over once it is stale.
    assert two.run_if_due(now + timedelta(hours=4)) is not None


def test_a_failed_backup_is_logged_shown_and_retried(make_app, tmp_path, clock, caplog):
    folder = tmp_path / "usb"  # not plugged in
    site = backup_site(folder)
    app = make_app(site, features=["display_server.backup.serve"], clock=clock)
    daily = app.extensions["luot.backup"]
    clock.now = at_hanoi(25, 12, 31)
    with caplog.at_level(logging.ERROR, logger="display_server.backup.daily"):
        assert daily.run_if_due() is None
    assert "does not exist (is the drive plugged in?)" in caplog.text
    client = app.test_client()
    response = client.get("/api/v1/health?deep=1")
    check(client.get("/api/v1/openapi.json").get_json(), "/api/v1/health", "get", response)
    health = response.get_json()
    assert health["backup"]["state"] == "failed"
    assert "is the drive plugged in?" in health["backup"]["last_error"]
    assert "backup" not in app.test_client().get("/api/v1/health").get_json()

    folder.mkdir()
    assert daily.run_if_due(clock.advance(minutes=30)) is None  # retried after an hour, not at once
    assert daily.run_if_due(clock.advance(minutes=31)) is not None
    health = app.test_client().get("/api/v1/health?deep=1").get_json()
    assert health["backup"]["state"] == "ok" and health["backup"]["last_error"] is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"time": "12:30"}, "dir is required"),
        ({"dir": "x", "time": "noon"}, "time must be HH:MM"),
        ({"dir": "x", "time": "25:00"}, "time must be HH:MM"),
        ({"dir": "x", "keep_days": 0}, "keep_days must be"),
        ({"dir": "x", "keep_days": True}, "keep_days must be"),
    ],
)
def test_bad_backup_tables_are_refused_at_start(table, message, tmp_path):
    with pytest.raises(SiteError, match=message):
        BackupSettings.from_table(table, tmp_path)
    relative = BackupSettings.from_table({"dir": "backups"}, tmp_path)
    assert relative is not None and relative.dir == tmp_path / "backups"


@pytest.mark.slow
def test_luot_serve_takes_the_daily_backup_once_with_two_processes(live_server, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    office = tmp_path / "office"
    env = {"LUOT_LOG": "INFO"}
    first = live_server(backup_site(folder), data_dir=office, env=env)
    wait_for_backup(first.url)
    second = live_server(backup_site(folder), data_dir=office, port=None, env=env)
    wait_for_backup(second.url)
    assert len(daily_files(folder)) == 1
    logs = first.log_path.read_text() + second.log_path.read_text()
    assert logs.count("daily backup written to") == 1


def wait_for_backup(url: str) -> None:
    """Poll the other process until it reports its daily backup done (as servers.py waits)."""
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            state = client.get("/api/v1/health?deep=1").json()["backup"]["state"]
            if state == "ok":
                return
            assert state in ("never", "running"), state
            time.sleep(0.1)
    raise AssertionError("no daily backup")


@pytest.mark.postgres
def test_daily_backup_of_postgresql_is_a_checked_dump(make_app, pg_url, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    app = make_app(backup_site(folder), database=pg_url, features=["display_server.backup.serve"])
    daily = app.extensions["luot.backup"]
    written = daily.run_if_due(at_hanoi(25, 12, 31))
    assert written == folder / "luot-daily-2026-11-25.dump"
    assert check_postgres_backup(written)  # pg_restore reads it; the schema version is in it
    assert daily.run_if_due(at_hanoi(25, 12, 32)) is None
