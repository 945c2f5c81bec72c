"""Issue 12, hole 1: a ticket's token, status URL and priority class are not public.

They go to whoever issued the ticket, to whoever presents its token, and to signed-in staff;
public reads by id, the queue, the counters and the event stream carry only `prioritised`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.display_server.screens.conftest import EventReader, Officer, screens_site
from tests.display_server.screens.conftest import issue as issue_live
from tests.factories import FakeClock, issue, login
from tests.servers import LiveServer

CLASSES = ("elderly", "pregnant")  # the classes the tests issue; never in a public body


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, make_app: Callable[..., Flask], clock: FakeClock):
    """The API with printing (for reprints), on SQLite and on PostgreSQL."""
    database = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    app = make_app(database=database, features=["display_server.printing"], clock=clock)
    return app.test_client()


def assert_public(body: str, secrets: list[str]) -> None:
    """No token, status URL or priority class anywhere in a serialized answer."""
    for secret in [*secrets, *CLASSES, '"token"', "status_url", "/t/"]:
        assert secret not in body, (secret, body[:400])


def test_public_reads_carry_no_secret_and_staff_reads_do(client: FlaskClient) -> None:
    staff = login(client, "lan", 1)
    called = issue(client, "A", priority="elderly")
    waiting = issue(client, "A", priority="pregnant")
    # The issuing answer is the citizen's own: it has the token (kiosk screen, printed QR).
    assert called["priority"] == "elderly"
    assert called["status_url"].endswith(f"/t/{called['token']}")
    action = client.post("/api/v1/counters/1/call-next", headers=staff).get_json()
    assert action["number"] == called["number"] and action["token"] == called["token"]
    tokens = [called["token"], waiting["token"]]

    paths = [
        f"/api/v1/tickets/{called['id']}",
        f"/api/v1/tickets/{waiting['id']}",
        "/api/v1/queue",
        "/api/v1/counters",
        "/api/v1/counters/1",
    ]
    for path in paths:
        for headers in ({}, {"Authorization": "Bearer not-a-live-token"}):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 200, path
            assert_public(answer.get_data(as_text=True), tokens)

    # A display can still mark priority, without saying which.
    assert called["prioritised"] is True
    assert client.get(f"/api/v1/tickets/{called['id']}").get_json()["prioritised"] is True
    queue = client.get("/api/v1/queue").get_json()
    line = next(s for s in queue["services"] if s["code"] == "A")
    assert [(t["number"], t["prioritised"]) for t in line["tickets"]] == [(waiting["number"], True)]
    current = next(c for c in queue["counters"] if c["number"] == 1)["current_ticket"]
    assert (current["number"], current["prioritised"]) == (called["number"], True)
    assert queue["recent_calls"][0]["prioritised"] is True
    counter = client.get("/api/v1/counters/1").get_json()
    assert counter["current_ticket"]["prioritised"] is True

    # Signed-in staff get the class and the token where they need them.
    by_id = client.get(f"/api/v1/tickets/{called['id']}", headers=staff).get_json()
    assert (by_id["token"], by_id["priority"]) == (called["token"], "elderly")
    assert by_id["status_url"].endswith(f"/t/{called['token']}")
    staff_queue = client.get("/api/v1/queue", headers=staff).get_json()
    line = next(s for s in staff_queue["services"] if s["code"] == "A")
    assert [t["priority"] for t in line["tickets"]] == ["pregnant"]
    for body in (staff_queue, client.get("/api/v1/counters", headers=staff).get_json()):
        current = next(c for c in body["counters"] if c["number"] == 1)["current_ticket"]
        assert (current["token"], current["priority"]) == (called["token"], "elderly")
    # Whoever holds the token (the status page) reads the ticket in full.
    by_token = client.get(f"/api/v1/tickets/token/{waiting['token']}").get_json()
    assert (by_token["token"], by_token["priority"]) == (waiting["token"], "pregnant")


def test_cancelling_and_reprinting_need_the_token(client: FlaskClient) -> None:
    ticket = issue(client, "B", priority="elderly")
    cancel = f"/api/v1/tickets/{ticket['id']}/cancel"
    reprint = f"/api/v1/tickets/{ticket['id']}/print"
    for body in ({}, {"token": ""}, {"token": "not-the-token"}):
        refused = client.post(cancel, json=body)
        assert (refused.status_code, refused.get_json()["error"]) == (401, "unauthorized")
        assert client.post(reprint, json=body).status_code == 401
    # With the token the reprint passes the check, and then needs the printing kiosk's key.
    with_token = client.post(reprint, json={"token": ticket["token"]})
    assert (with_token.status_code, with_token.get_json()["error"]) == (403, "kiosk_key_required")
    assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "waiting"
    cancelled = client.post(cancel, json={"token": ticket["token"]})
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"


def read_until_called(reader: EventReader, number: str) -> list[str]:
    """Every message's data up to the ticket.called event of ticket `number`."""
    seen: list[str] = []
    while True:
        message = reader.next()
        seen.append(message.data)
        if message.event != "ticket.called":
            continue
        if message.json()["data"]["ticket"]["number"] == number:
            return seen


def test_the_event_stream_carries_no_secret(live_server: Callable[..., LiveServer]) -> None:
    server = live_server(site=screens_site(), env={"LUOT_SSE_KEEPALIVE": "0.4"})
    readers: list[EventReader] = []
    officer = Officer(server.url, "lan", 1)
    try:
        live = EventReader(server.url)
        readers.append(live)
        opening = live.next()
        assert opening.event == "snapshot"
        ticket = issue_live(server.url, "A", priority="elderly")
        waiting = issue_live(server.url, "A", priority="pregnant")
        assert ticket["token"] and waiting["token"]
        assert officer.act("call-next")["number"] == ticket["number"]
        tokens = [ticket["token"], waiting["token"]]

        messages = read_until_called(live, ticket["number"])
        # A display connecting now: the opening snapshot has both tickets.
        fresh = EventReader(server.url)
        readers.append(fresh)
        snapshot = fresh.next()
        assert snapshot.event == "snapshot" and ticket["number"] in snapshot.data
        assert waiting["number"] in snapshot.data
        # A display resuming from before the issue: the replay has the missed events.
        resumed = EventReader(server.url, headers={"Last-Event-ID": opening.id or ""})
        readers.append(resumed)
        head = resumed.next()
        assert head.event == "resumed"
        replay = [resumed.next().data for _ in range(head.json()["missed"])]
        assert any(ticket["number"] in data for data in replay)

        for body in [*messages, snapshot.data, *replay]:
            assert_public(body, tokens)
        called: dict[str, Any] = json.loads(messages[-1])
        assert called["data"]["ticket"]["prioritised"] is True
    finally:
        officer.close()
        for reader in readers:
            reader.close()
