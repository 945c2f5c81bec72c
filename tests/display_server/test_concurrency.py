"""Many counters at once: no ticket goes to two counters, none is left, no number repeats."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from display_server.models import Ticket, TicketStatus
from display_server.queue import issue_ticket
from display_server.queue.lookups import get_office
from tests.factories import PASSWORD, make_site, many_counters

COUNTERS = 16
TICKETS = 3000


def busy_site() -> dict[str, Any]:
    return many_counters(make_site(), COUNTERS, ["A", "B"])


def fill_queue(app, count: int = TICKETS) -> None:
    """Issue `count` tickets through the queue engine (alternating services and priorities)."""
    db = app.extensions["luot.db"]
    with db.write_session() as session:
        office = get_office(session)
        for i in range(count):
            priority = "elderly" if i % 10 == 0 else None
            issue_ticket(session, office, "AB"[i % 2], priority=priority)


def serve_all(
    post: Callable[[int, str], tuple[int, dict[str, Any]]], counters: range
) -> list[list[int]]:
    """One thread per counter: call next and finish until the queue is empty."""
    called: list[list[int]] = [[] for _ in counters]
    errors: list[str] = []
    start = threading.Barrier(len(counters))

    def work(slot: int, number: int) -> None:
        start.wait()
        while True:
            status, body = post(number, "call-next")
            if status == 409 and body.get("error") == "queue_empty":
                return
            if status != 200:
                errors.append(f"counter {number}: {status} {body}")
                return
            called[slot].append(body["id"])
            status, body = post(number, "finish")
            if status != 200:
                errors.append(f"finish at {number}: {status} {body}")
                return

    threads = [threading.Thread(target=work, args=(i, n)) for i, n in enumerate(counters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert errors == []
    return called


def assert_every_ticket_served_once(app, called: list[list[int]]) -> None:
    flat = [ticket for per_counter in called for ticket in per_counter]
    duplicates = [t for t, n in Tally(flat).items() if n > 1]
    assert duplicates == []
    with app.extensions["luot.db"].read_session() as session:
        statuses = Tally(session.scalars(select(Ticket.status)).all())
    assert len(flat) == TICKETS
    assert statuses == {TicketStatus.DONE.value: TICKETS}
    assert sum(1 for per_counter in called if per_counter) > COUNTERS // 2, "work was not shared"


def flask_poster(app) -> Callable[[int, str], tuple[int, dict[str, Any]]]:
    local = threading.local()

    def post(counter: int, action: str) -> tuple[int, dict[str, Any]]:
        if not hasattr(local, "client"):
            local.client = app.test_client()
            response = local.client.post(
                "/api/v1/auth/login",
                json={"username": f"cb{counter}", "password": PASSWORD, "counter": counter},
            )
            local.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        response = local.client.post(f"/api/v1/counters/{counter}/{action}", headers=local.headers)
        return response.status_code, response.get_json()

    return post


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_sixteen_counters_share_three_thousand_tickets_on_sqlite(make_app):
    app = make_app(busy_site())
    fill_queue(app)
    assert_every_ticket_served_once(app, serve_all(flask_poster(app), range(1, COUNTERS + 1)))


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.postgres
def test_sixteen_counters_share_three_thousand_tickets_on_postgres(make_app, pg_url):
    app = make_app(busy_site(), database=pg_url)
    fill_queue(app)
    assert_every_ticket_served_once(app, serve_all(flask_poster(app), range(1, COUNTERS + 1)))


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.postgres
def test_two_server_processes_share_one_postgres_database(make_app, pg_url, live_server):
    app = make_app(busy_site(), database=pg_url)
    fill_queue(app)
    servers = [live_server(busy_site(), database=pg_url) for _ in range(2)]
    local = threading.local()
    clients: list[httpx.Client] = []

    def post(counter: int, action: str) -> tuple[int, dict[str, Any]]:
        if not hasattr(local, "client"):
            # Odd counters talk to one server process, even ones to the other.
            local.client = httpx.Client(base_url=servers[counter % 2].url, timeout=30)
            clients.append(local.client)
            token = local.client.post(
                "/api/v1/auth/login",
                json={"username": f"cb{counter}", "password": PASSWORD, "counter": counter},
            ).json()["token"]
            local.client.headers["Authorization"] = f"Bearer {token}"
        response = local.client.post(f"/api/v1/counters/{counter}/{action}", json={})
        return response.status_code, response.json()

    try:
        called = serve_all(post, range(1, COUNTERS + 1))
    finally:
        for client in clients:
            client.close()
    assert_every_ticket_served_once(app, called)


def issue_concurrently(app, threads: int = 8, each: int = 60) -> list[str]:
    numbers: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(slot: int) -> None:
        client = app.test_client()
        start.wait()
        for i in range(each):
            response = client.post("/api/v1/tickets", json={"service": "AB"[(slot + i) % 2]})
            assert response.status_code == 201, response.get_json()
            with lock:
                numbers.append(response.get_json()["number"])

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    return numbers


def assert_unique_and_consecutive(numbers: list[str], total: int) -> None:
    assert len(numbers) == len(set(numbers)) == total
    for code in "AB":
        sequence = sorted(int(n[1:]) for n in numbers if n[0] == code)
        assert sequence == list(range(1, len(sequence) + 1))


def test_eight_threads_issue_unique_consecutive_numbers_on_sqlite(make_app):
    assert_unique_and_consecutive(issue_concurrently(make_app()), 480)


@pytest.mark.postgres
def test_eight_threads_issue_unique_consecutive_numbers_on_postgres(make_app, pg_url):
    assert_unique_and_consecutive(issue_concurrently(make_app(database=pg_url)), 480)


@pytest.mark.postgres
def test_events_reach_every_process_sharing_postgres(make_app, pg_url):
    first = make_app(database=pg_url)
    second = make_app(database=pg_url)
    heard = threading.Event()
    kinds: list[str] = []

    def listen(event) -> None:
        kinds.append(event.kind)
        if event.kind == "ticket.issued":
            heard.set()

    second.extensions["luot.bus"].subscribe(listen)
    number = first.test_client().post("/api/v1/tickets", json={"service": "C"}).get_json()["number"]
    assert heard.wait(5), kinds
    [issued] = [e for e in second.extensions["luot.bus"].since(0) if e.kind == "ticket.issued"]
    assert issued.data["ticket"]["number"] == number
    # A process does not hear its own events twice.
    assert [e.kind for e in first.extensions["luot.bus"].since(0)].count("ticket.issued") == 1
