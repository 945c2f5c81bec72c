"""The server takes exactly what its OpenAPI document says: text patterns, enums, integers,
dates, bodies and methods (the fuzzer's findings, pinned down one by one)."""

from __future__ import annotations

import pytest
from jsonschema.validators import Draft202012Validator
from sqlalchemy import func, select

from display_server.extensions import FEATURES
from display_server.models import IdempotencyRecord
from tests.factories import PASSWORD, issue, login, make_site

TEXTS = [
    "Nghỉ trưa",
    "  Nghỉ trưa \n",  # trimmed, as a text box may send it
    "Họp\ngiao ban",  # a line break inside: refused
    "a\u202eb",  # a bidi override: refused
    "a\u200db",  # the zero-width joiner: kept (emoji, some scripts)
    "\ue000 riêng",  # private use: an odd glyph, taken
    "   ",
    "",
    "\t\x1f",
    "A" * 200,
    "A" * 201,
    " " + "A" * 199,
    "\U000e0041",  # a tag character (format): refused
]


@pytest.fixture
def full_app(make_app, clock):
    site = make_site()
    site["kiosks"] = [{"id": "sanh", "name": "Sảnh"}]
    return make_app(site, features=list(FEATURES), clock=clock, LUOT_VOICE_ENABLED=False)


def body_schema(document, path):
    """The JSON body schema of POST `path`."""
    operation = document["paths"][path]["post"]
    return operation["requestBody"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("reason", TEXTS)
def test_a_text_field_is_taken_exactly_when_its_schema_says_so(full_app, reason):
    client = full_app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    path = "/api/v1/counters/{number}/pause"
    valid = Draft202012Validator(body_schema(document, path)).is_valid({"reason": reason})
    headers = login(client, "lan", 1)
    answer = client.post("/api/v1/counters/1/pause", json={"reason": reason}, headers=headers)
    assert (answer.status_code == 200) == valid, (reason, answer.get_json())
    if not valid:
        assert answer.status_code == 422


def test_enums_are_matched_exactly(client):
    assert issue(client, "A", priority="with-infant")["priority"] == "with_infant"
    for field, value in [("channel", " kiosk"), ("channel", ""), ("priority", "Elderly")]:
        answer = client.post("/api/v1/tickets", json={"service": "A", field: value})
        assert answer.status_code == 422, (field, value)
        assert answer.get_json()["error"] == f"invalid_{field}"
    assert issue(client, "A", channel=None, priority=None)["channel"] == "kiosk"


def test_a_whole_number_is_whole_whatever_its_spelling(client):
    headers = login(client, "lan", 1)
    ticket = issue(client, "A")
    called = client.post(
        "/api/v1/counters/1/call", json={"ticket": float(ticket["id"])}, headers=headers
    )
    assert called.status_code == 200
    answer = client.post("/api/v1/counters/1/call", json={"ticket": 1.5}, headers=headers)
    assert (answer.status_code, answer.get_json()["error"]) == (422, "invalid_number")


def test_query_integers_and_dates_are_strict(full_app):
    client = full_app.test_client()
    for query in ("limit=0", "limit=201", "limit=1_0", "limit=%2B5", "office_id=null"):
        answer = client.get(f"/api/v1/announcements?{query}")
        assert answer.status_code == 422, query
    assert client.get("/api/v1/announcements?limit=200&office_id=1").status_code == 200
    headers = login(client, "mai")
    for query in ("from=20260101&to=2026-01-02", "from=2026-01-01&to=2026-01-02&group=Day"):
        assert client.get(f"/api/v1/reports?{query}", headers=headers).status_code == 422
    assert client.get("/api/v1/reports?from=2026-01-01&to=2026-01-02", headers=headers).is_json
    csv = client.get("/api/v1/reports?from=2026-01-01&to=2026-01-02&format=csv", headers=headers)
    assert csv.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]  # one charset


def test_a_reused_key_is_a_conflict_and_a_missing_bearer_comes_first(client):
    headers = {"Idempotency-Key": "same-key"}
    assert client.post("/api/v1/tickets", json={"service": "A"}, headers=headers).status_code == 201
    cancel = client.post("/api/v1/tickets/1/cancel", json={}, headers=headers)
    assert (cancel.status_code, cancel.get_json()["error"]) == (409, "idempotency_key_reused")
    # No bearer at all: 401 before the key is looked at.
    call = client.post("/api/v1/counters/1/call-next", json={}, headers=headers)
    assert call.status_code == 401
    bad = client.post("/api/v1/tickets", json={"service": "A"}, headers={"Idempotency-Key": "é"})
    assert (bad.status_code, bad.get_json()["error"]) == (400, "invalid_idempotency_key")


def test_a_sign_in_is_never_stored_for_replay(app, client):
    headers = {"Idempotency-Key": "login-key"}
    body = {"username": "lan", "password": PASSWORD}
    first = client.post("/api/v1/auth/login", json=body, headers=headers).get_json()["token"]
    second = client.post("/api/v1/auth/login", json=body, headers=headers).get_json()["token"]
    assert first != second
    with app.extensions["luot.db"].read_session() as session:
        assert session.scalar(select(func.count(IdempotencyRecord.id))) == 0


def test_every_write_takes_a_json_object(client):
    headers = login(client, "lan", 1)
    for body in (b"[]", b'"x"', b"{bad"):
        answer = client.post(
            "/api/v1/counters/1/open", data=body, content_type="application/json", headers=headers
        )
        assert answer.status_code == 400, body
    empty = client.post("/api/v1/counters/1/open", data=b"", content_type="application/json")
    assert empty.status_code == 401  # an empty JSON body is taken; the bearer is missing


def test_an_undeclared_method_is_405_with_allow_before_the_json_rule(client):
    answer = client.put("/api/v1/queue", data=b"x", content_type="text/plain")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]


def test_the_document_lists_the_office_s_levels_and_kiosks(full_app):
    document = full_app.test_client().get("/api/v1/openapi.json").get_json()
    rating = body_schema(document, "/api/v1/tickets/{ticket_id}/rating")
    assert rating["properties"]["level"]["enum"] == ["very_satisfied", "satisfied", "unsatisfied"]
    for path in ("/api/v1/tickets/{ticket_id}/print", "/api/v1/tickets/{ticket_id}/apology"):
        assert body_schema(document, path)["properties"]["kiosk"]["enum"] == ["sanh", None]


def test_every_operation_names_the_answers_any_route_may_give(full_app):
    document = full_app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"431", "503"} | ({"400", "413", "415"} if method == "post" else set())
            assert expected <= set(operation["responses"]), (method, path)
            if method == "post":
                assert operation["requestBody"]["required"] is True, path
