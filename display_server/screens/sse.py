"""The wire format of the event stream: SSE messages, event ids, and small ASGI helpers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from ..queue.clock import zone

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]

MAX_KINDS = 16
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),
]


def encode(kind: str, data: Any, event_id: str | None = None, *, comment: str = "") -> bytes:
    """One SSE message; `data` is serialised as JSON on a single line."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    head = f": {comment}\n" if comment else ""
    if event_id is not None:
        head += f"id: {event_id}\n"
    return f"{head}event: {kind}\ndata: {text}\n\n".encode()


def parse_event_id(value: str | None) -> tuple[str, int] | None:
    """("<boot_id>", seq) from an id "<boot_id>-<seq>", or None when it is not one of ours."""
    if not value:
        return None
    boot_id, _, seq = value.strip().rpartition("-")
    if not boot_id or not seq.isdigit() or len(seq) > 18:
        return None
    return boot_id, int(seq)


def kinds_filter(value: str | None) -> tuple[str, ...] | None:
    """Event kind prefixes from ?kinds=ticket.,counter.state (None: every kind)."""
    if not value:
        return None
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())[:MAX_KINDS]
    return kinds or None


def office_iso(zone_name: str, at: datetime | None = None) -> str:
    """`at` (default: now) in the office's time, with its offset, like every time in the API.

    Clients that set their clocks by the server read the offset, so the instant is exact.
    """
    return (at or datetime.now(UTC)).astimezone(zone(zone_name)).isoformat(timespec="milliseconds")


def header(scope: Scope, name: bytes) -> str | None:
    """A request header (`name` in lower case)."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            text: str = value.decode("latin-1")
            return text
    return None


async def body(send: Send, data: bytes, *, more: bool = True) -> None:
    """Send part of the response body (the last part with more=False)."""
    await send({"type": "http.response.body", "body": data, "more_body": more})


async def json_response(
    send: Send, status: int, content: dict[str, Any], *extra: tuple[bytes, bytes]
) -> None:
    """A whole JSON response."""
    data = json.dumps(content, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await body(send, data, more=False)


async def refused_method(scope: Scope, send: Send) -> bool:
    """Answer 405 with Allow (as HTTP asks) unless the request is a GET or HEAD."""
    if scope.get("method") in ("GET", "HEAD"):
        return False
    error = {"error": "method_not_allowed", "message": "Chỉ hỗ trợ GET."}
    await json_response(send, 405, error, (b"allow", b"GET, HEAD"))
    return True
