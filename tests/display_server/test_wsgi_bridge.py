"""The ASGI→WSGI bridge: bodies in, buffered and streamed responses out, errors as JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request

from display_server.wsgi_bridge import BUFFER_BYTES, DRAIN_BYTES, WSGIBridge


@pytest.fixture
def bridge() -> Iterator[WSGIBridge]:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1000

    @app.post("/echo")
    def echo() -> Any:
        return {
            "body": request.get_data(as_text=True),
            "path": request.path,
            "query": request.args.get("q"),
            "host": request.host,
            "remote": request.remote_addr,
            "accept": request.headers.get("Accept"),
        }

    @app.get("/big")
    def big() -> Response:
        def parts() -> Iterator[bytes]:
            for i in range(8):
                yield bytes([65 + i]) * (BUFFER_BYTES // 2)

        return Response(parts(), mimetype="application/octet-stream")

    @app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("kaput")

    bridge = WSGIBridge(app, workers=4, max_body=1000)
    yield bridge
    bridge.shutdown()


def call(
    bridge: WSGIBridge,
    method: str,
    path: str,
    parts: list[bytes] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
    query: bytes = b"",
) -> list[dict[str, Any]]:
    """Run one request through the bridge; the messages it sent back."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": headers or [(b"host", b"quay.example:8080")],
        "server": ("127.0.0.1", 8080),
        "client": ("10.0.0.7", 5555),
        "scheme": "http",
        "http_version": "1.1",
    }
    incoming = [
        {"type": "http.request", "body": part, "more_body": i < len(parts or [b""]) - 1}
        for i, part in enumerate(parts or [b""])
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(bridge(scope, receive, send))
    return sent


def body_of(sent: list[dict[str, Any]]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_request_body_in_parts_reaches_the_app_whole(bridge: WSGIBridge) -> None:
    text = "Nguyễn Thị Lan".encode()
    sent = call(
        bridge,
        "POST",
        "/echo",
        [text[:5], text[5:]],  # a chunked request: no Content-Length
        headers=[(b"host", b"quay.example:8080"), (b"accept", b"a"), (b"accept", b"b")],
        query=b"q=s%E1%BB%91",
    )
    assert sent[0]["status"] == 200
    answer = json.loads(body_of(sent))
    assert answer == {
        "body": "Nguyễn Thị Lan",
        "path": "/echo",
        "query": "số",
        "host": "quay.example:8080",
        "remote": "10.0.0.7",
        "accept": "a,b",
    }


def test_a_chunked_request_reaches_the_app_whole(bridge: WSGIBridge) -> None:
    # With Transfer-Encoding left in the environ, Werkzeug reads no body at all.
    chunked = [(b"host", b"quay.example:8080"), (b"transfer-encoding", b"chunked")]
    sent = call(bridge, "POST", "/echo", [b'{"service":', b' "A"}'], headers=chunked)
    assert sent[0]["status"] == 200
    assert json.loads(body_of(sent))["body"] == '{"service": "A"}'


def test_a_body_over_the_limit_is_refused_without_being_buffered(bridge: WSGIBridge) -> None:
    sent = call(bridge, "POST", "/echo", [b"x" * 600, b"y" * 600])
    assert sent[0]["status"] == 413
    assert (b"connection", b"close") not in sent[0]["headers"]  # read to its end: reusable


def test_a_chunked_body_over_the_limit_is_refused(bridge: WSGIBridge) -> None:
    chunked = [(b"host", b"quay.example:8080"), (b"transfer-encoding", b"chunked")]
    sent = call(bridge, "POST", "/echo", [b"x" * 600, b"y" * 600], headers=chunked)
    assert sent[0]["status"] == 413


def test_an_endless_body_is_answered_after_a_bounded_read(bridge: WSGIBridge) -> None:
    parts = [b"z" * 64 * 1024] * (DRAIN_BYTES // (64 * 1024) + 4)
    parts.append(b"never read")
    sent = call(bridge, "POST", "/echo", parts)
    assert sent[0]["status"] == 413
    assert (b"connection", b"close") in sent[0]["headers"]  # the rest is still on the wire


def test_a_large_response_is_streamed_in_order(bridge: WSGIBridge) -> None:
    sent = call(bridge, "GET", "/big")
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert len(bodies) > 1  # not buffered whole
    assert [m.get("more_body", False) for m in bodies][-1] is False
    data = body_of(sent)
    assert len(data) == 8 * (BUFFER_BYTES // 2)
    assert data[:1] == b"A" and data[-1:] == b"H"


def test_an_error_in_the_app_is_a_500_not_a_dropped_connection(bridge: WSGIBridge) -> None:
    sent = call(bridge, "GET", "/boom")
    assert sent[0]["status"] == 500
    assert body_of(sent)


def test_a_client_gone_before_its_body_costs_no_call(bridge: WSGIBridge) -> None:
    scope = {"type": "http", "method": "POST", "path": "/echo", "headers": []}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(bridge(scope, receive, send))
    assert sent == []
