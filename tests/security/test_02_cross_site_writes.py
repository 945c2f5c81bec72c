"""Hole 2, "any web page can write": a form or text/plain body from another site issues nothing,
and CORS headers go only to the origins a site names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import issue, login, make_site
from tests.servers import LiveServer

ALLOWED = "http://kiosk-setup.phuong.local"
FOREIGN = "http://evil.example"
SIMPLE_BODIES = [
    ("text/plain", '{"service": "A"}'),
    ("application/x-www-form-urlencoded", "service=A"),
    (
        "multipart/form-data; boundary=x",
        '--x\r\nContent-Disposition: form-data; name="service"\r\n\r\nA\r\n--x--\r\n',
    ),
]


def waiting(client: FlaskClient, service: str = "A") -> int:
    queue: dict[str, Any] = client.get("/api/v1/queue").get_json()
    return int(next(s["waiting"] for s in queue["services"] if s["code"] == service))


@pytest.fixture
def cors_app(make_app: Callable[..., Flask]) -> Flask:
    site = make_site()
    site["security"] = {**site.get("security", {}), "allowed_origins": [ALLOWED]}
    return make_app(site=site)


@pytest.mark.parametrize(("content_type", "body"), SIMPLE_BODIES)
def test_a_simple_cross_site_body_issues_no_ticket(
    cors_app: Flask, content_type: str, body: str
) -> None:
    client = cors_app.test_client()
    answer = client.post(
        "/api/v1/tickets", data=body, content_type=content_type, headers={"Origin": FOREIGN}
    )
    assert answer.status_code == 415
    assert answer.get_json()["error"] == "unsupported_media_type"
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert waiting(client) == 0


@pytest.mark.parametrize(("content_type", "body"), SIMPLE_BODIES)
def test_a_simple_cross_site_body_moves_no_counter(
    cors_app: Flask, content_type: str, body: str
) -> None:
    client = cors_app.test_client()
    auth = login(client, "lan", counter=1)
    issue(client, "A")
    answer = client.post(
        "/api/v1/counters/1/call-next", data=body, content_type=content_type, headers=auth
    )
    assert answer.status_code == 415
    assert waiting(client) == 1
    assert client.get("/api/v1/counters/1").get_json()["current_ticket"] is None


def test_cors_headers_only_for_an_allowed_origin(cors_app: Flask) -> None:
    client = cors_app.test_client()
    foreign = client.get("/api/v1/services", headers={"Origin": FOREIGN})
    assert foreign.status_code == 200 and "Access-Control-Allow-Origin" not in foreign.headers
    allowed = client.get("/api/v1/services", headers={"Origin": ALLOWED})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in allowed.headers["Vary"]


def test_preflight_answers_only_an_allowed_origin(cors_app: Flask) -> None:
    client = cors_app.test_client()
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    foreign = client.options("/api/v1/tickets", headers={"Origin": FOREIGN, **ask})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert "Access-Control-Allow-Methods" not in foreign.headers
    allowed = client.options("/api/v1/tickets", headers={"Origin": ALLOWED, **ask})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "X-Device-Key" in allowed.headers["Access-Control-Allow-Headers"]
    assert waiting(client) == 0


def test_no_cors_headers_without_a_setting(make_app: Callable[..., Flask]) -> None:
    client = make_app().test_client()
    answer = client.get("/api/v1/services", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_real_server_refuses_a_text_plain_ticket(live_server: Callable[..., LiveServer]) -> None:
    server = live_server()
    answer = httpx.post(
        f"{server.url}/api/v1/tickets",
        content=b'{"service": "A"}',
        headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": FOREIGN},
        timeout=10,
    )
    assert answer.status_code == 415 and answer.json()["error"] == "unsupported_media_type"
    queue = httpx.get(f"{server.url}/api/v1/queue", timeout=10).json()
    assert all(service["waiting"] == 0 for service in queue["services"])
