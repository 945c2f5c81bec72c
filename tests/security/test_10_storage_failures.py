"""Hole 10: a full disk or a read-only database answers 503 `storage_unavailable` by name,
health?deep=1 reports it, the kiosk says "out of service", and it all comes back by itself.

The failures are real ones, each reached the way SQLite or PostgreSQL reaches it:
- SQLite full: `PRAGMA max_page_count` on the server's own connections (the insert that needs
  a page fails with SQLITE_FULL), and a real full disk (a tmpfs, where the commit fails).
- SQLite read-only: tests run as root, and chmod does not stop root; a read-only remount is
  refused while the server holds the file open for writing. So the server's own connections
  are made read-only from inside: SQLite's read-only open (`mode=ro`, what SQLite does by
  itself when the file cannot be opened for writing; the write statement fails) and
  `PRAGMA query_only` (the write transaction is refused). Both answer SQLITE_READONLY,
  "attempt to write a readonly database", through the same group commit as in production.
- PostgreSQL read-only: `ALTER DATABASE … SET default_transaction_read_only = on`, with the
  server's sessions ended so that new ones start read-only, as after a fail-over.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from display_server.db import Database
from display_server.i18n import translate
from display_server.models import Ticket
from display_server.storage import MESSAGES, TITLE
from tests.display_server.admin.conftest import sign_in
from tests.display_server.screens.conftest import CHROMIUM, CHROMIUM_ARGS, screens_site
from tests.display_server.test_openapi import check
from tests.factories import FakeClock
from tests.servers import LiveServer, postgres_admin_url

FILL_LIMIT = 400  # tickets at most before the database is full


def storage_site() -> dict[str, Any]:
    """The screens' test site, with room for the many tickets a test issues in a minute."""
    site = screens_site()
    site["security"] = {"anonymous_tickets_per_minute": 1000, "anonymous_tickets_per_day": 100_000}
    return site


class SqliteFault:
    """Turns the SQLite database of an in-process app full or read-only, and back."""

    def __init__(self, app: Flask) -> None:
        self.db: Database = app.extensions["luot.db"]
        self.path = self.db.engine.url.database
        self.pragmas: dict[str, int] = {}
        self.read_only_open = False
        event.listen(self.db.engine, "do_connect", self._open)
        event.listen(self.db.engine, "connect", self._configure)

    def _open(self, _dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> Any:
        if not self.read_only_open:
            return None  # the driver's own connect
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, **params)

    def _configure(self, connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        for name, value in self.pragmas.items():
            cursor.execute(f"PRAGMA {name} = {value}")
        cursor.close()

    def apply(self, *, pragmas: dict[str, int] | None = None, read_only_open: bool = False) -> None:
        """Reconnect every connection (the writer too) under the new conditions."""
        self.pragmas, self.read_only_open = dict(pragmas or {}), read_only_open
        self.db.dispose()

    def page_count(self) -> int:
        with self.db.read_session() as session:
            count: int = session.connection().exec_driver_sql("PRAGMA page_count").scalar_one()
            return count


def assert_storage_503(response: Any, reason: str, lang: str = "vi") -> None:
    """The API's answer to a write that storage refused."""
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.get_json() == {
        "error": "storage_unavailable",
        "message": translate(MESSAGES[reason], lang),
    }


def assert_health(client: FlaskClient, status: int, reason: str | None = None) -> None:
    response = client.get("/api/v1/health?deep=1")
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body.get("reason") == reason
    if reason is not None:
        assert body["error"] == "storage_unavailable"
        assert body["message"] == MESSAGES[reason]


def acknowledged_tickets_are_stored(db: Database, acknowledged: dict[int, str]) -> None:
    """Every ticket answered 201 is in the database with its number; no number twice."""
    with db.read_session() as session:
        rows = dict(session.execute(select(Ticket.id, Ticket.number)).tuples().all())
    assert {key: rows.get(key) for key in acknowledged} == acknowledged
    assert len(set(rows.values())) == len(rows)


def issue_until_refused(client: FlaskClient, acknowledged: dict[int, str]) -> Any:
    """Issue tickets until storage refuses one; returns the refusal."""
    for _ in range(FILL_LIMIT):
        response = client.post("/api/v1/tickets", json={"service": "A"})
        if response.status_code != 201:
            return response
        acknowledged[response.get_json()["id"]] = response.get_json()["number"]
    raise AssertionError(f"{FILL_LIMIT} tickets and the database is still not full")


@pytest.fixture
def storage_app(make_app: Callable[..., Flask], clock: FakeClock) -> Flask:
    return make_app(site=storage_site(), features=["display_server.admin"], clock=clock)


def test_sqlite_full_answers_503_and_comes_back_with_every_ticket(storage_app: Flask) -> None:
    fault = SqliteFault(storage_app)
    client = storage_app.test_client()
    acknowledged: dict[int, str] = {}
    for _ in range(3):
        ticket = client.post("/api/v1/tickets", json={"service": "B"}).get_json()
        acknowledged[ticket["id"]] = ticket["number"]

    fault.apply(pragmas={"max_page_count": fault.page_count()})
    refused = issue_until_refused(client, acknowledged)
    assert_storage_503(refused, "disk_full")
    document = client.get("/api/v1/openapi.json").get_json()
    check(document, "/api/v1/tickets", "post", refused)
    check(document, "/api/v1/health", "get", client.get("/api/v1/health?deep=1"))
    english = client.post(
        "/api/v1/tickets", json={"service": "A"}, headers={"Accept-Language": "en"}
    )
    assert_storage_503(english, "disk_full", "en")
    assert_health(client, 503, "disk_full")
    fault.apply()  # space again
    assert_health(client, 200)
    ticket = client.post("/api/v1/tickets", json={"service": "A"})
    assert ticket.status_code == 201
    acknowledged[ticket.get_json()["id"]] = ticket.get_json()["number"]
    acknowledged_tickets_are_stored(fault.db, acknowledged)


@pytest.mark.parametrize("how", ["read-only open", "query_only"])
def test_sqlite_read_only_answers_503_and_comes_back(storage_app: Flask, how: str) -> None:
    fault = SqliteFault(storage_app)
    client = storage_app.test_client()
    admin = storage_app.test_client()
    token = sign_in(admin, "mai")
    acknowledged: dict[int, str] = {}
    for service in "ABC":
        ticket = client.post("/api/v1/tickets", json={"service": service}).get_json()
        acknowledged[ticket["id"]] = ticket["number"]

    if how == "query_only":
        fault.apply(pragmas={"query_only": 1})
    else:
        fault.apply(read_only_open=True)
    assert_storage_503(client.post("/api/v1/tickets", json={"service": "A"}), "read_only")
    assert_health(client, 503, "read_only")
    assert client.get("/api/v1/queue").status_code == 200  # reading still works
    # Pages answer with a page people can read, not a JSON error or a stack trace.
    page = admin.post("/admin/settings/display", data={"csrf_token": token, "notice": "Nghỉ trưa"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert TITLE in page.get_data(as_text=True) and MESSAGES["read_only"] in page.get_data(
        as_text=True
    )

    fault.apply()
    assert_health(client, 200)
    ticket = client.post("/api/v1/tickets", json={"service": "A"})
    assert ticket.status_code == 201
    acknowledged[ticket.get_json()["id"]] = ticket.get_json()["number"]
    acknowledged_tickets_are_stored(fault.db, acknowledged)


# --- PostgreSQL --------------------------------------------------------------------------------


def set_read_only(pg_url: str, read_only: bool, *, end_sessions: bool) -> None:
    """Make the test database read-only (or not) for new sessions; optionally end the others."""
    name = pg_url.split("/")[3].split("?")[0]
    admin = postgres_admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        flag = "on" if read_only else "off"
        connection.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {flag}')
        if end_sessions:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_postgres_read_only_answers_503_and_comes_back(
    make_app: Callable[..., Flask], clock: FakeClock, pg_url: str
) -> None:
    app = make_app(site=storage_site(), database=pg_url, clock=clock)
    client = app.test_client()
    acknowledged: dict[int, str] = {}
    for service in "ABC":
        ticket = client.post("/api/v1/tickets", json={"service": service}).get_json()
        acknowledged[ticket["id"]] = ticket["number"]

    set_read_only(pg_url, True, end_sessions=True)
    assert_storage_503(client.post("/api/v1/tickets", json={"service": "A"}), "read_only")
    assert_health(client, 503, "read_only")

    # Only new sessions see the database writable again: the server lets go of the old ones.
    set_read_only(pg_url, False, end_sessions=False)
    assert_health(client, 200)
    ticket = client.post("/api/v1/tickets", json={"service": "A"})
    assert ticket.status_code == 201
    acknowledged[ticket.get_json()["id"]] = ticket.get_json()["number"]
    acknowledged_tickets_are_stored(app.extensions["luot.db"], acknowledged)


# --- a real server ------------------------------------------------------------------------------


def live_tickets(url: str) -> dict[int, str]:
    """Every ticket (id → number) in a live server's database."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return dict(session.execute(select(Ticket.id, Ticket.number)).tuples().all())
    finally:
        engine.dispose()


def live_issue(server: LiveServer, service: str = "A") -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/tickets", json={"service": service}, timeout=10)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs: a disk that really fills up (needs the right to mount, as root has)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        unmounted = subprocess.run(["umount", str(folder)], capture_output=True, check=False)  # noqa: S607
        if unmounted.returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S607


def fill(folder: Path) -> Path:
    """Fill the disk under `folder` to the last byte; the filler file's path."""
    filler = folder / "filler"
    # Unbuffered: a buffered file would try its last block again on close and raise there.
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(bytes(64 * 1024))
        except OSError:
            pass
    return filler


def test_a_really_full_disk_under_a_live_server(
    small_disk: Path, live_server: Callable[..., LiveServer]
) -> None:
    database = f"sqlite:///{small_disk / 'luot.db'}"
    server = live_server(site=storage_site(), database=database)
    try:
        acknowledged: dict[int, str] = {}
        for service in "ABC":
            ticket = live_issue(server, service).json()
            acknowledged[ticket["id"]] = ticket["number"]
        filler = fill(small_disk)
        for _ in range(FILL_LIMIT):  # the log may have room for a few more commits
            answer = live_issue(server)
            if answer.status_code != 201:
                break
            acknowledged[answer.json()["id"]] = answer.json()["number"]
        assert answer.status_code == 503, answer.text
        assert answer.json() == {"error": "storage_unavailable", "message": MESSAGES["disk_full"]}
        health = httpx.get(f"{server.url}/api/v1/health?deep=1", timeout=10)
        assert (health.status_code, health.json()["reason"]) == (503, "disk_full")

        filler.unlink()  # room again: no restart
        assert httpx.get(f"{server.url}/api/v1/health?deep=1", timeout=10).status_code == 200
        answer = live_issue(server)
        assert answer.status_code == 201, answer.text
        acknowledged[answer.json()["id"]] = answer.json()["number"]
    finally:
        server.stop()
    stored = live_tickets(database)
    assert {key: stored.get(key) for key in acknowledged} == acknowledged


@pytest.mark.browser
def test_the_kiosk_is_out_of_service_while_postgres_is_read_only(
    live_server: Callable[..., LiveServer], pg_url: str
) -> None:
    server = live_server(site=storage_site(), database=pg_url, env={"LUOT_SSE_KEEPALIVE": "0.4"})
    acknowledged: dict[int, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        errors: list[str] = []

        def open_kiosk() -> Page:
            page = browser.new_context(locale="vi-VN").new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.url}/kiosk/sanh-chinh")
            page.wait_for_selector("body[data-ready=true]", timeout=10000)
            return page

        def tap(page: Page) -> str:
            page.click(".service-button[data-service=A]:not([disabled])")
            page.wait_for_selector("#result:not([hidden])")
            number = page.inner_text("#result-number")
            page.click("#result-done")
            return number

        try:
            kiosk = open_kiosk()
            numbers = [tap(kiosk)]
            ticket = live_issue(server, "B").json()
            acknowledged[ticket["id"]] = ticket["number"]

            set_read_only(pg_url, True, end_sessions=True)
            kiosk.click(".service-button[data-service=A]:not([disabled])")
            kiosk.wait_for_selector("#outage:not([hidden])", timeout=30000)
            assert "Tạm ngừng phục vụ" in kiosk.inner_text("#outage")
            assert kiosk.is_disabled(".service-button[data-service=A]")
            assert kiosk.is_hidden("#result")
            # A kiosk switched on now learns it from health?deep=1 before anyone taps.
            second = open_kiosk()
            second.wait_for_selector("#outage:not([hidden])", timeout=30000)
            assert second.get_attribute("#outage", "data-reason") == "read_only"

            set_read_only(pg_url, False, end_sessions=False)
            for page in (kiosk, second):  # back by itself: nobody reloads the page
                page.wait_for_selector("#outage", state="hidden", timeout=30000)
            numbers.append(tap(kiosk))
        finally:
            browser.close()
    assert errors == []
    stored = live_tickets(pg_url)
    assert {key: stored.get(key) for key in acknowledged} == acknowledged
    assert set(numbers) <= set(stored.values()) and len(numbers) == 2
