"""Bad requests: each gets a clear 4xx with a JSON message, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from display_server.models import EventLog, Ticket
from tests.factories import issue, login

LONG = "Ă" * 600


def table_counts(app):
    with app.extensions["luot.db"].read_session() as session:
        return (
            session.scalar(select(func.count(Ticket.id))),
            session.scalar(select(func.count(EventLog.id))),
        )


BAD_TICKET_REQUESTS = [
    ("not json", b"{service: A", 400, "invalid_json"),
    ("not utf-8", b'{"service": "\xff"}', 400, "invalid_json"),
    ("a list", b'["A"]', 400, "invalid_body"),
    ("a string", b'"A"', 400, "invalid_body"),
    ("empty", b"", 400, "empty_body"),
    ("missing service", b"{}", 422, "missing_field"),
    ("service a number", b'{"service": 1}', 422, "invalid_type"),
    ("service null-ish", b'{"service": ""}', 422, "missing_field"),
    ("unknown service", b'{"service": "Z"}', 404, "unknown_service"),
    ("service too long", json.dumps({"service": "AAAAAAAAAAAAA"}).encode(), 422, "too_long"),
    ("bad priority", b'{"service": "A", "priority": "vip"}', 422, "invalid_priority"),
    ("priority a list", b'{"service": "A", "priority": ["elderly"]}', 422, "invalid_type"),
    ("bad channel", b'{"service": "A", "channel": "fax"}', 422, "invalid_channel"),
    ("lone surrogate", b'{"service": "A", "kiosk": "\\ud800"}', 422, "invalid_text"),
    ("control character", b'{"service": "A", "kiosk": "k\\u0000"}', 422, "invalid_text"),
    ("bidi override", b'{"service": "A", "kiosk": "k\\u202e1"}', 422, "invalid_text"),
    ("kiosk too long", json.dumps({"service": "A", "kiosk": LONG}).encode(), 422, "too_long"),
    ("oversized body", json.dumps({"service": "A", "pad": "x" * 70000}).encode(), 413, "too_large"),
]


@pytest.mark.parametrize(
    ("name", "body", "status", "code"), BAD_TICKET_REQUESTS, ids=[r[0] for r in BAD_TICKET_REQUESTS]
)
def test_bad_ticket_requests(app, client, name, body, status, code):
    issue(client, "A")
    before = table_counts(app)
    response = client.post("/api/v1/tickets", data=body, content_type="application/json")
    assert response.status_code == status, (name, response.get_data(as_text=True))
    assert response.is_json
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]
    assert table_counts(app) == before
    assert issue(client, "A")["number"] == "A002"


def test_bad_counter_requests(app, client):
    lan = login(client, "lan", 1)
    issue(client, "A")
    before = table_counts(app)
    cases = [
        ("POST", "/api/v1/counters/1/call-next", {}, None, 401, "unauthorized"),
        (
            "POST",
            "/api/v1/counters/1/call-next",
            {"Authorization": "Bearer forged"},
            None,
            401,
            "unauthorized",
        ),
        (
            "POST",
            "/api/v1/counters/1/call-next",
            {"Authorization": "Basic abc"},
            None,
            401,
            "unauthorized",
        ),
        ("POST", "/api/v1/counters/99/call-next", lan, None, 404, "unknown_counter"),
        ("POST", "/api/v1/counters/0/call-next", lan, None, 404, "unknown_counter"),
        (
            "POST",
            "/api/v1/counters/99999999999999999999/call-next",
            lan,
            None,
            404,
            "unknown_counter",
        ),
        ("GET", "/api/v1/tickets/99999999999999999999", {}, None, 404, "unknown_ticket"),
        ("GET", "/api/v1/counters/99999999999999999999", {}, None, 404, "unknown_counter"),
        ("POST", "/api/v1/counters/1/call", lan, {"ticket": 2**40}, 422, "invalid_number"),
        ("POST", "/api/v1/counters/1/start", lan, None, 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/finish", lan, None, 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/recall", lan, None, 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/no-show", lan, None, 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/resume", lan, None, 409, "counter_not_paused"),
        ("POST", "/api/v1/counters/1/pause", lan, {}, 422, "missing_field"),
        ("POST", "/api/v1/counters/1/pause", lan, {"reason": "   "}, 422, "missing_field"),
        ("POST", "/api/v1/counters/1/pause", lan, {"reason": LONG}, 422, "too_long"),
        ("POST", "/api/v1/counters/1/transfer", lan, {"service": "B"}, 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/call", lan, {}, 422, "missing_field"),
        ("POST", "/api/v1/counters/1/call", lan, {"ticket": "1"}, 422, "invalid_number"),
        ("POST", "/api/v1/counters/1/call", lan, {"ticket": True}, 422, "invalid_number"),
        ("POST", "/api/v1/counters/1/call", lan, {"ticket": -5}, 422, "invalid_number"),
        ("POST", "/api/v1/counters/1/call", lan, {"ticket": 424242}, 404, "unknown_ticket"),
        ("POST", "/api/v1/counters/1/call", lan, {"number": "Z999"}, 404, "unknown_ticket"),
        (
            "POST",
            "/api/v1/counters/1/call-next",
            {**lan, "Idempotency-Key": "x" * 500},
            None,
            400,
            "invalid_idempotency_key",
        ),
        ("GET", "/api/v1/counters/1/call-next", lan, None, 405, "method_not_allowed"),
        ("GET", "/api/v1/tickets/999", {}, None, 404, "unknown_ticket"),
        ("GET", "/api/v1/tickets/token/nope", {}, None, 404, "unknown_ticket"),
        ("GET", "/api/v1/no-such-thing", {}, None, 404, "not_found"),
        ("POST", "/api/v1/tickets/1/cancel", {}, {"token": 5}, 422, "invalid_type"),
        ("POST", "/api/v1/auth/login", {}, {"username": "lan"}, 422, "missing_field"),
        (
            "POST",
            "/api/v1/auth/login",
            {},
            {"username": "lan", "password": 5},
            422,
            "missing_field",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            {},
            {"username": "lan", "password": "x", "counter": "1"},
            422,
            "invalid_number",
        ),
        (
            "POST",
            "/api/v1/auth/login",
            {},
            {"username": "lan", "password": "mat-khau-thu", "counter": 77},
            404,
            "unknown_counter",
        ),
    ]
    for method, path, headers, body, status, code in cases:
        response = client.open(path, method=method, headers=headers, json=body)
        assert (response.status_code, response.is_json) == (status, True), (
            path,
            body,
            response.data,
        )
        assert response.get_json()["error"] == code, (path, body, response.get_json())
    assert table_counts(app) == before
    # A transfer to an unknown service while serving changes nothing either.
    client.post("/api/v1/counters/1/call-next", headers=lan)
    before = table_counts(app)
    bad = client.post("/api/v1/counters/1/transfer", headers=lan, json={"service": "Q"})
    assert bad.status_code == 404
    bad = client.post(
        "/api/v1/counters/1/transfer", headers=lan, json={"service": "C", "position": "x"}
    )
    assert bad.status_code == 422
    assert table_counts(app) == before
    assert client.get("/api/v1/counters/1").get_json()["current_ticket"]["status"] == "called"


def test_messages_follow_accept_language(client):
    vi = client.post("/api/v1/tickets", json={"service": "Z"})
    en = client.post(
        "/api/v1/tickets", json={"service": "Z"}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert vi.get_json()["message"] == "Không có dịch vụ mã Z."
    assert en.get_json()["message"] == "There is no service with code Z."


def test_sign_in_is_throttled_after_repeated_failures(client):
    for _ in range(5):
        wrong = client.post("/api/v1/auth/login", json={"username": "binh", "password": "sai"})
        assert wrong.status_code == 401
    blocked = client.post(
        "/api/v1/auth/login", json={"username": "binh", "password": "mat-khau-thu"}
    )
    assert blocked.status_code == 429
    assert blocked.get_json()["error"] == "too_many_attempts"
