"""The OpenAPI document describes every route, and real responses match its schemas."""

from __future__ import annotations

import re

from jsonschema.validators import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.factories import issue, login


def validator_for(document, pointer):
    registry = Registry().with_resource("urn:luot", DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": "urn:luot#" + pointer}, registry=registry)


def check(document, path, method, response):
    operation = document["paths"][path][method]
    spec = operation["responses"][str(response.status_code)]
    escaped = path.replace("~", "~0").replace("/", "~1")
    status = response.status_code
    answer = f"/paths/{escaped}/{method}/responses/{status}"
    if "$ref" in spec:  # an answer any route may give, described once in components
        answer = spec["$ref"].removeprefix("#")
        spec = document["components"]["responses"][answer.rpartition("/")[2]]
    assert "application/json" in spec["content"]
    pointer = f"{answer}/content/application~1json/schema"
    errors = list(validator_for(document, pointer).iter_errors(response.get_json()))
    assert not errors, (path, response.status_code, [e.message for e in errors[:3]])


def test_every_api_route_is_documented(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, ops in document["paths"].items()
        for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {rule.rule} is not in openapi.json"


def test_real_responses_match_the_document(client, clock):
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator.check_schema(document["components"]["schemas"]["Ticket"])
    check(document, "/api/v1/health", "get", client.get("/api/v1/health"))
    check(document, "/api/v1/services", "get", client.get("/api/v1/services"))
    created = client.post("/api/v1/tickets", json={"service": "A", "priority": "elderly"})
    check(document, "/api/v1/tickets", "post", created)
    ticket_id = created.get_json()["id"]
    check(
        document, "/api/v1/tickets/{ticket_id}", "get", client.get(f"/api/v1/tickets/{ticket_id}")
    )
    check(
        document, "/api/v1/tickets", "post", client.post("/api/v1/tickets", json={"service": "Z"})
    )
    login_response = client.post(
        "/api/v1/auth/login", json={"username": "lan", "password": "mat-khau-thu", "counter": 1}
    )
    check(document, "/api/v1/auth/login", "post", login_response)
    headers = {"Authorization": f"Bearer {login_response.get_json()['token']}"}
    for action in ("call-next", "recall", "start", "finish"):
        path = f"/api/v1/counters/{{number}}/{action}"
        check(document, path, "post", client.post(f"/api/v1/counters/1/{action}", headers=headers))
    issue(client, "A")
    check(
        document,
        "/api/v1/counters/{number}/call-next",
        "post",
        client.post("/api/v1/counters/1/call-next", headers=headers),
    )
    check(
        document,
        "/api/v1/counters/{number}/transfer",
        "post",
        client.post("/api/v1/counters/1/transfer", json={"service": "C"}, headers=headers),
    )
    check(
        document,
        "/api/v1/counters/{number}/pause",
        "post",
        client.post("/api/v1/counters/1/pause", json={"reason": "Họp giao ban"}, headers=headers),
    )
    check(
        document,
        "/api/v1/counters/{number}/call-next",
        "post",
        client.post("/api/v1/counters/1/call-next", headers=headers),
    )
    check(document, "/api/v1/counters", "get", client.get("/api/v1/counters"))
    check(document, "/api/v1/queue", "get", client.get("/api/v1/queue"))
    check(
        document,
        "/api/v1/officers/me/today",
        "get",
        client.get("/api/v1/officers/me/today", headers=login(client, "hung", 2)),
    )


def test_every_feature_route_is_documented_too(make_app):
    from display_server.extensions import FEATURES

    app = make_app(features=list(FEATURES), LUOT_VOICE_ENABLED=False)
    test_every_api_route_is_documented(app)
