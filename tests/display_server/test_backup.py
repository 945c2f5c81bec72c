"""`luot backup` and `luot restore`: consistent copies under load, checks, and refusals."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from display_server.backup.operations import make_backup, restore_backup
from display_server.backup.serving import hold_serving_lock, processes_serving
from display_server.backup.target import BackupError
from tests.factories import issue, make_site
from tests.servers import ROOT, create_pg_database, drop_pg_database

NOW = datetime(2026, 11, 25, 12, 30).astimezone()


def luot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `luot` command."""
    return subprocess.run(
        [sys.executable, "-m", "display_server", *args],
        cwd=ROOT,
        env={**os.environ, "LUOT_LOG": "WARNING", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def busy_site() -> dict[str, Any]:
    """The test site, with room for a kiosk's burst of anonymous tickets."""
    site = make_site()
    site["security"] = {"anonymous_tickets_per_minute": 1000, "anonymous_tickets_per_day": 100_000}
    return site


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def ticket_ids(path: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {row[0] for row in db.execute("SELECT id FROM ticket")}


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.slow
def test_backup_under_write_load_holds_every_ticket_acknowledged_before_it(live_server, tmp_path):
    server = live_server(busy_site(), data_dir=tmp_path / "office")
    issued: list[int] = []
    stop = threading.Event()
    progress = threading.Condition()

    def kiosk(service: str) -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                response = client.post("/api/v1/tickets", json={"service": service})
                assert response.status_code == 201, response.text
                with progress:
                    issued.append(response.json()["id"])
                    progress.notify_all()

    workers = [threading.Thread(target=kiosk, args=(s,)) for s in "AC"]
    for worker in workers:
        worker.start()
    try:
        with progress:
            assert progress.wait_for(lambda: len(issued) >= 40, timeout=120)
            acknowledged_before = set(issued)
        backup = tmp_path / "copy.db"
        done = luot(
            "backup", "--database", sqlite_url(server.data_dir / "luot.db"), "--to", str(backup)
        )
        with progress:
            during = len(issued) - len(acknowledged_before)
            # …and the load goes on after the copy, so it was taken in the middle of writes.
            assert progress.wait_for(lambda: len(issued) > len(acknowledged_before) + during, 120)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert done.returncode == 0, done.stderr
    assert during > 0  # tickets were acknowledged while `luot backup` ran
    assert integrity(backup) == "ok"

    restored = tmp_path / "restored" / "luot.db"
    done = luot("restore", "--from", str(backup), "--database", sqlite_url(restored))
    assert done.returncode == 0, done.stderr
    assert "there was no database there before" in done.stdout
    in_copy = ticket_ids(restored)
    assert acknowledged_before <= in_copy
    assert integrity(restored) == "ok"


@pytest.mark.slow
def test_restore_refuses_while_luot_serve_runs_and_keeps_the_replaced_database(
    live_server, tmp_path
):
    server = live_server(busy_site(), data_dir=tmp_path / "office")
    database = server.data_dir / "luot.db"
    before = httpx.post(f"{server.url}/api/v1/tickets", json={"service": "A"}).json()
    backup = tmp_path / "copy.db"
    assert luot("backup", "--data-dir", str(server.data_dir), "--to", str(backup)).returncode == 0
    after = httpx.post(f"{server.url}/api/v1/tickets", json={"service": "A"}).json()

    refused = luot("restore", "--from", str(backup), "--database", sqlite_url(database))
    assert refused.returncode == 1
    assert f"luot serve is running on {database} (process {server.process.pid})" in refused.stderr
    assert httpx.get(f"{server.url}/api/v1/tickets/{after['id']}").status_code == 200

    server.stop()
    done = luot("restore", "--from", str(backup), "--database", sqlite_url(database))
    assert done.returncode == 0, done.stderr
    aside = next(server.data_dir.glob("luot.db.before-restore-*"))
    assert f"kept as {aside}" in done.stdout
    assert after["id"] in ticket_ids(aside)  # nothing is thrown away

    server.start()
    assert httpx.get(f"{server.url}/api/v1/tickets/{before['id']}").status_code == 200
    assert httpx.get(f"{server.url}/api/v1/tickets/{after['id']}").status_code == 404


def test_restore_refuses_a_database_another_program_has_open(make_app, tmp_path):
    app = make_app()
    issue(app.test_client())
    database = Path(app.config["LUOT_DATA_DIR"]) / "luot.db"
    backup = make_backup(sqlite_url(database), tmp_path, NOW)
    with pytest.raises(BackupError, match="in use by another program"):
        restore_backup(backup, sqlite_url(database), tmp_path, NOW)
    assert not list(database.parent.glob("luot.db.before-restore-*"))


def test_restore_refuses_files_that_are_not_luot_backups(make_app, tmp_path):
    target = sqlite_url(tmp_path / "target.db")
    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore_backup(text, target, tmp_path, NOW)
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE things (x)")
    with pytest.raises(BackupError, match="not a Lượt database"):
        restore_backup(other, target, tmp_path, NOW)
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
        db.commit()
    with pytest.raises(BackupError, match="made by a newer Lượt"):
        restore_backup(other, target, tmp_path, NOW)
    assert not (tmp_path / "target.db").exists()
    done = luot("restore", "--from", str(tmp_path / "missing.db"), "--database", target)
    assert done.returncode == 1
    assert "luot restore: no such file" in done.stderr


def test_backup_says_why_it_could_not_write(make_app, tmp_path):
    app = make_app()
    url = app.config["LUOT_DATABASE_URL"]
    done = luot("backup", "--database", url, "--to", str(tmp_path / "usb" / "copy.db"))
    assert done.returncode == 1
    assert "does not exist (is the drive plugged in?)" in done.stderr
    done = luot("backup", "--database", url)
    assert done.returncode == 2
    assert "--to" in done.stderr
    done = luot("backup", "--database", sqlite_url(tmp_path / "none.db"), "--to", str(tmp_path))
    assert done.returncode == 1
    assert "no database at" in done.stderr


def test_backup_of_postgresql_without_pg_dump_says_what_to_install(pg_url, tmp_path):
    done = luot("backup", "--database", pg_url, "--to", str(tmp_path), env={"PATH": str(tmp_path)})
    assert done.returncode == 1
    assert "pg_dump was not found: install PostgreSQL's client programs" in done.stderr


@pytest.mark.postgres
def test_postgresql_round_trip_with_pg_dump_and_back(make_app, pg_url, tmp_path):
    app = make_app(database=pg_url)
    client = app.test_client()
    kept = [issue(client)["id"] for _ in range(3)]
    backup = tmp_path / "office.dump"
    done = luot("backup", "--database", pg_url, "--to", str(backup))
    assert done.returncode == 0, done.stderr
    later = issue(client)["id"]

    refused = luot("restore", "--from", str(backup), "--database", pg_url)
    assert refused.returncode == 1
    assert "other connections use" in refused.stderr

    fresh = create_pg_database()
    try:
        done = luot("restore", "--from", str(backup), "--database", fresh)
        assert done.returncode == 0, done.stderr
        assert pg_ticket_ids(fresh) == set(kept)
    finally:
        drop_pg_database(fresh)

    app.extensions["luot.db"].dispose()
    app.extensions["luot.db"].engine.dispose()
    done = luot("restore", "--from", str(backup), "--database", pg_url, "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert pg_ticket_ids(pg_url) == set(kept)
    aside = next(tmp_path.glob("luot-before-restore-*.dump"))
    assert f"kept as {aside}" in done.stdout
    assert (
        luot("backup", "--database", pg_url, "--to", str(tmp_path / "again.dump")).returncode == 0
    )
    assert later not in pg_ticket_ids(pg_url)


def pg_ticket_ids(url: str) -> set[int]:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as db:
        return {row[0] for row in db.execute("SELECT id FROM ticket")}


def test_serving_lock_files_tell_running_servers_from_gone_ones(tmp_path):
    database = tmp_path / "luot.db"
    held = hold_serving_lock(database)
    assert held is not None
    gone = tmp_path / "luot.db.serving-999999999"
    gone.write_text("999999999")  # left by a server that was killed
    assert processes_serving(database) == [os.getpid()]
    assert not gone.exists()
    held.close()
    assert processes_serving(database) == []
