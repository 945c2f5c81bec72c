"""Hole 9, midnight: a ticket still waiting when the office's day turns is never lost, and a
number is never issued twice in a day, whatever is renamed (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, insert, select, update

from display_server.app import create_app
from display_server.midnight import WATCH_KEY, close_day_end, day_end_rule, watch_day_end
from display_server.models import EventLog, Service, Ticket
from display_server.schema import alembic_config
from tests.display_server.admin.conftest import sign_in
from tests.display_server.screens.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import FakeClock, issue, login, make_site
from tests.servers import LiveServer, write_site

LATE = datetime(2026, 11, 25, 16, 50, tzinfo=UTC)  # 23:50 on 25/11 in Hanoi
YESTERDAY, TODAY = "2026-11-25", "2026-11-26"
BEFORE = "3f9d2a61c8b0"  # the schema before numbers were counted per code


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """One database URL, on each engine; apps made on it share it (a restart)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return f"sqlite:///{(tmp_path / 'midnight.db').as_posix()}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(LATE)


def cancelling_site() -> dict[str, Any]:
    """The test site with the supervisor's rule: close what is left waiting at day end."""
    site = make_site()
    site["queue"] = {"at_day_end": "cancel"}
    return site


def by_token(client: FlaskClient, ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket as its status page reads it."""
    response = client.get(f"/api/v1/tickets/token/{ticket['token']}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def waiting_line(client: FlaskClient, code: str) -> tuple[int, list[tuple[str, str]]]:
    """GET /api/v1/queue for one service: how many wait, and (number, day) in order."""
    queue = client.get("/api/v1/queue").get_json()
    service = next(s for s in queue["services"] if s["code"] == code)
    return service["waiting"], [(t["number"], t.get("local_day")) for t in service["tickets"]]


def act(client: FlaskClient, headers: dict[str, str], action: str, **body: Any) -> Any:
    """A counter action at counter 1; its answer."""
    return client.post(f"/api/v1/counters/1/{action}", headers=headers, json=body)


def served(client: FlaskClient, headers: dict[str, str], action: str, **body: Any) -> int:
    """Call (next, or a given ticket) and finish at counter 1; the id of the ticket served."""
    response = act(client, headers, action, **body)
    assert response.status_code == 200, response.get_json()
    assert act(client, headers, "finish").status_code == 200
    ticket_id: int = response.get_json()["id"]
    return ticket_id


def day_rows(client: FlaskClient) -> dict[str, dict[str, Any]]:
    """The supervisor's report of both days, grouped by day."""
    headers = login(client, "mai")
    response = client.get(f"/api/v1/reports?from={YESTERDAY}&to={TODAY}&group=day", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {row["key"]: row for row in response.get_json()["rows"]}


def test_a_ticket_left_waiting_at_midnight_stays_in_line_first(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    app = make_app(database=database, clock=clock, features=["display_server.admin"])
    client = app.test_client()
    lan = login(client, "lan", 1)
    old_b1, old_b2 = issue(client, "B"), issue(client, "B")
    clock.advance(minutes=20)  # 00:10 on 26/11
    new_b1 = issue(client, "B")
    assert new_b1["number"] == "B001" and new_b1["local_day"] == TODAY

    assert waiting_line(client, "B") == (
        3,
        [("B001", YESTERDAY), ("B002", YESTERDAY), ("B001", TODAY)],
    )
    services = client.get("/api/v1/services").get_json()["services"]
    assert next(s["waiting"] for s in services if s["code"] == "B") == 3
    assert [by_token(client, t)["ahead"] for t in (old_b1, old_b2, new_b1)] == [0, 1, 2]
    assert by_token(client, old_b2)["status"] == "waiting"
    assert day_rows(client)[YESTERDAY]["issued"] == 2  # yesterday, stored as a closed day

    assert served(client, lan, "call-next") == old_b1["id"]
    assert by_token(client, new_b1)["ahead"] == 1
    assert served(client, lan, "call-next") == old_b2["id"]
    assert served(client, lan, "call-next") == new_b1["id"]
    rows = day_rows(client)  # served today, counted on the day each was issued
    assert (rows[YESTERDAY]["issued"], rows[YESTERDAY]["served"]) == (2, 2)
    assert (rows[TODAY]["issued"], rows[TODAY]["served"]) == (1, 1)


def test_calling_a_number_takes_the_waiting_ticket_oldest_first(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    client = make_app(database=database, clock=clock).test_client()
    lan = login(client, "lan", 1)
    old_b1, old_b2 = issue(client, "B"), issue(client, "B")
    clock.advance(minutes=20)
    new_b1, new_b2 = issue(client, "B"), issue(client, "B")

    # Two wait as B002: the one from yesterday has waited longest and is first in line.
    assert served(client, lan, "call", number="B002") == old_b2["id"]
    assert served(client, lan, "call", number="b002") == new_b2["id"]
    # Today's B001 is done; calling "B001" still finds the one that waits.
    assert served(client, lan, "call", ticket=new_b1["id"]) == new_b1["id"]
    assert served(client, lan, "call", number="B001") == old_b1["id"]
    # With none waiting, today's answers why it cannot be called.
    response = act(client, lan, "call", number="B001")
    assert (response.status_code, response.get_json()["error"]) == (409, "not_waiting")


def test_a_renamed_code_never_issues_a_number_twice(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00
    site = make_site()
    site["services"] = [s for s in site["services"] if s["code"] != "B"]
    site["counters"][0]["services"] = ["A"]
    app = make_app(site, database=database, clock=clock, features=["display_server.admin"])
    client = app.test_client()
    assert [issue(client, "A")["number"] for _ in range(3)] == ["A001", "A002", "A003"]

    admin = app.test_client()
    token = sign_in(admin)
    with app.extensions["luot.db"].read_session() as read:
        old_id = read.scalars(select(Service.id).where(Service.code == "A")).one()
    form = {"csrf_token": token, "name": "Hộ tịch", "active": "on", "sort_order": "0"}
    assert admin.post(f"/admin/services/{old_id}", data={**form, "code": "B"}).status_code == 302
    made = admin.post("/admin/services/new", data={**form, "code": "A", "name": "Hộ tịch mới"})
    assert made.status_code == 302

    assert issue(client, "A")["number"] == "A004"  # not A001: A001–A003 still wait
    assert issue(client, "B")["number"] == "B004"  # the renamed service goes on counting
    with app.extensions["luot.db"].read_session() as read:
        numbers = list(
            read.scalars(select(Ticket.number).where(Ticket.local_day == date(2026, 11, 25)))
        )
    assert sorted(numbers) == ["A001", "A002", "A003", "A004", "B004"]


def test_the_migration_counts_numbers_by_code_from_existing_tickets(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    site = make_site()
    site["services"] = [s for s in site["services"] if s["code"] != "B"]
    site["counters"][0]["services"] = ["A"]
    app = make_app(site, database=database, clock=clock)
    client = app.test_client()
    for _ in range(3):
        issue(client, "A")
    app.extensions["luot.db"].dispose()

    # Back to the old schema, then what administration did there: A renamed B, a new A.
    engine = create_engine(database)
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
        with engine.begin() as connection:
            office_id = connection.scalar(select(Service.office_id).where(Service.code == "A"))
            connection.execute(update(Service).where(Service.code == "A").values(code="B"))
            connection.execute(
                insert(Service).values(office_id=office_id, code="A", name="Hộ tịch mới")
            )
    finally:
        engine.dispose()

    client = make_app(site, database=database, clock=clock).test_client()  # upgrades
    assert issue(client, "A")["number"] == "A004"
    assert issue(client, "B")["number"] == "B004"
    assert waiting_line(client, "B")[0] == 4  # A001–A003 (now under B) and B004


def test_the_cancel_rule_closes_what_is_left_at_day_end(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    app = make_app(
        cancelling_site(), database=database, clock=clock, features=["display_server.admin"]
    )
    client = app.test_client()
    lan = login(client, "lan", 1)
    issue(client, "A")
    left = issue(client, "A")
    served(client, lan, "call-next")
    clock.advance(minutes=20)  # 00:10, and no request since midnight

    assert close_day_end(app) == 60.0  # what the serve task runs; next look in a minute
    ticket = by_token(client, left)
    assert (ticket["status"], ticket["closed_reason"]) == ("cancelled", "day_end")
    assert ticket["steps"][-1]["outcome"] == "cancelled"
    assert ticket["steps"][-1]["finished_at"] == "2026-11-26T00:00:00+07:00"  # its day's end
    with app.extensions["luot.db"].read_session() as read:
        events = read.scalars(select(EventLog).where(EventLog.ticket_id == left["id"])).all()
    assert [(e.kind, e.detail) for e in events][-1] == (
        "ticket.cancelled",
        {"reason": "day_end", "day": YESTERDAY},
    )
    assert waiting_line(client, "A") == (0, [])
    response = act(client, lan, "call-next")
    assert response.get_json()["error"] == "queue_empty"
    rows = day_rows(client)
    assert (rows[YESTERDAY]["issued"], rows[YESTERDAY]["cancelled"]) == (2, 1)
    assert TODAY not in rows or rows[TODAY]["cancelled"] == 0

    assert close_day_end(app) == 60.0  # again: nothing more to do
    assert len(by_token(client, left)["steps"]) == 1


def test_a_restart_across_midnight_applies_the_rule(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    kept = issue(make_app(database=database, clock=clock).test_client(), "A")
    client = make_app(cancelling_site(), database=database, clock=clock).test_client()
    left = issue(client, "A")
    clock.advance(hours=9)  # the server was off from 23:50 until 08:50

    client = make_app(cancelling_site(), database=database, clock=clock).test_client()
    for ticket in (kept, left):
        closed = by_token(client, ticket)
        assert (closed["status"], closed["closed_reason"]) == ("cancelled", "day_end")
    assert issue(client, "A")["number"] == "A001"
    assert waiting_line(client, "A") == (1, [("A001", TODAY)])


def test_the_keep_rule_leaves_the_line_alone_at_a_restart(
    make_app: Callable[..., Flask], clock: FakeClock, database: str
) -> None:
    left = issue(make_app(database=database, clock=clock).test_client(), "A")
    clock.advance(hours=9)
    client = make_app(database=database, clock=clock).test_client()
    assert by_token(client, left)["status"] == "waiting"
    assert waiting_line(client, "A") == (1, [("A001", YESTERDAY)])


def test_the_serve_task_closes_at_midnight_without_any_request(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    clock.now = LATE + timedelta(minutes=9, seconds=30)  # 23:59:30
    app = make_app(cancelling_site(), clock=clock)
    left = issue(app.test_client(), "A")
    assert close_day_end(app) == 31.0  # wakes one second past midnight

    clock.advance(seconds=40)
    closed = threading.Event()
    app.extensions["luot.bus"].subscribe(
        lambda event: closed.set() if event.kind == "ticket.cancelled" else None
    )
    task = threading.Thread(target=watch_day_end, args=(app,))
    task.start()
    try:
        assert closed.wait(timeout=60)
    finally:
        app.extensions[WATCH_KEY].shutdown()
        task.join()
    assert by_token(app.test_client(), left)["closed_reason"] == "day_end"


@pytest.fixture
def settings_client(make_app: Callable[..., Flask], clock: FakeClock) -> Iterator[Any]:
    app = make_app(clock=clock, features=["display_server.admin"])
    client = app.test_client()
    yield app, client, sign_in(client)


def test_the_rule_is_a_setting_of_administration(settings_client: Any) -> None:
    app, client, token = settings_client
    page = client.get("/admin/settings/queue")
    assert page.status_code == 200
    assert "Số còn chờ khi hết ngày" in page.get_data(as_text=True)
    bad = client.post("/admin/settings/queue", data={"csrf_token": token, "at_day_end": "drop"})
    assert bad.status_code == 422
    saved = client.post("/admin/settings/queue", data={"csrf_token": token, "at_day_end": "cancel"})
    assert saved.status_code == 302
    assert day_end_rule(app) == "cancel"


@pytest.mark.browser
def test_the_status_page_says_the_ticket_closed_at_day_end(tmp_path: Any) -> None:
    """A real `luot serve` started on a later day than the ticket's closes it at start-up; the
    citizen's page says so, in Vietnamese and in English."""
    folder = tmp_path / "server"
    site = {**cancelling_site(), "voice": {"play_on_server": False, "repeat": 1}}
    a_day_ago = FakeClock(datetime.now(UTC) - timedelta(days=1))
    app = create_app(
        {"LUOT_DATA_DIR": folder, "LUOT_SITE": site, "LUOT_FEATURES": [], "LUOT_CLOCK": a_day_ago}
    )
    ticket = issue(app.test_client(), "A")
    app.extensions["luot.db"].dispose()
    day = "/".join(reversed(ticket["local_day"].split("-")))

    server = LiveServer(folder, write_site(folder / "site.toml", site)).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for language, main, detail in (
                (
                    "vi",
                    "Phiếu đã đóng khi hết ngày làm việc",
                    f"Số chưa được gọi trong ngày {day}. Kính mời quý khách lấy số mới.",
                ),
                (
                    "en",
                    "Ticket closed at the end of the working day",
                    f"The number was not called on {day}. Please take a new number.",
                ),
            ):
                page = browser.new_page()
                page.goto(f"{server.url}/t/{ticket['token']}?lang={language}")
                page.wait_for_function(
                    "text => document.getElementById('state-main').textContent === text", arg=main
                )
                assert page.inner_text("#state-detail") == detail
                assert page.is_hidden("#alert-button")
            browser.close()
    finally:
        server.stop()
