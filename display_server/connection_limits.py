"""Connection limits for uvicorn's httptools protocol: header size and time, and a cap.

uvicorn has neither a header-size cap nor a header read timeout for this protocol, and its
`limit_concurrency` refuses only once a request arrives, so idle connections still hold file
descriptors until accept() fails and asyncio logs it. `limited_protocol` adds the three.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .frontend import MAX_LINGERING, FrontEnd

log = logging.getLogger(__name__)

# A refused connection is half-closed, then read and discarded for this long before closing,
# so the client reads the refusal instead of a reset (at most MAX_LINGERING at once).
LINGER_SECONDS = 2.0
# Refusals are logged at most once per this many seconds (with a count), never per connection.
WARN_EVERY_SECONDS = 60.0

BUSY = ("busy", "Máy chủ đang bận: quá nhiều kết nối. Vui lòng thử lại sau ít giây.")
HEADERS_TOO_LARGE = ("headers_too_large", "Phần đầu (header) của yêu cầu quá lớn.")


def error_response(status: int, reason: str, error: tuple[str, str], *extra: bytes) -> bytes:
    """A whole HTTP/1.1 JSON error response that closes the connection."""
    body = json.dumps({"error": error[0], "message": error[1]}).encode("ascii")
    head = [
        f"HTTP/1.1 {status} {reason}".encode("ascii"),
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode("ascii"),
        b"connection: close",
        *extra,
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class QuietRepeats(logging.Filter):
    """Let each message up to `level` through once per interval: a flood logs one line."""

    def __init__(self, level: int, every: float = WARN_EVERY_SECONDS) -> None:
        super().__init__()
        self.level = level
        self.every = every
        self.last: dict[object, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True to log `record`; messages above `level` always pass."""
        if record.levelno > self.level:
            return True
        now = time.monotonic()
        if now - self.last.get(record.msg, -self.every) < self.every:
            return False
        if len(self.last) > 100:
            self.last.clear()
        self.last[record.msg] = now
        return True


class _Shared:
    """State one server's connections share: its limits, lingering refusals, warning times."""

    def __init__(self, front: FrontEnd, max_connections: int) -> None:
        self.front = front
        self.max_connections = max_connections
        self.lingering = 0
        self.refused = 0
        self.warned_at = -WARN_EVERY_SECONDS

    def note_refusal(self, why: str) -> None:
        """Count a refusal; log one line per interval, not one per connection."""
        self.refused += 1
        now = time.monotonic()
        if now - self.warned_at >= WARN_EVERY_SECONDS:
            log.warning("refused %d connection(s) since the last report (%s)", self.refused, why)
            self.refused = 0
            self.warned_at = now


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header-size cap, a header deadline, a connection cap."""

    shared: ClassVar[_Shared]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.awaiting_headers = True  # between requests, or inside a request's headers
        self.header_bytes = 0  # bytes of the current request's headers seen so far
        self.header_deadline: asyncio.TimerHandle | None = None
        self.refusing = False
        self.lingering = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Refuse at once above the cap, or start the first request's header deadline."""
        if len(self.connections) >= self.shared.max_connections:
            self.transport = transport
            extra = b"retry-after: 5"
            self.refuse(error_response(503, "Service Unavailable", BUSY, extra), "over the cap")
            return
        super().connection_made(transport)
        self._arm_deadline()  # a connection that never sends a request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget timers and lingering counts, then let uvicorn clean up."""
        self._disarm_deadline()
        if self.lingering:
            self.lingering = False
            self.shared.lingering -= 1
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser, never more than the header budget while headers are awaited."""
        limit = self.shared.front.max_header_bytes
        while data and self.awaiting_headers and not self.refusing:
            room = limit - self.header_bytes
            if len(data) <= room:
                self.header_bytes += len(data)
                break
            # Only `room` more bytes may belong to these headers: feed those, and if the
            # headers are still incomplete they are too large. Otherwise go on with the rest.
            self.header_bytes = limit
            head, data = data[:room], data[room:]
            super().data_received(head)
            if self.transport.is_closing():
                return
            if self.awaiting_headers and self.header_bytes >= limit:
                response = error_response(431, "Request Header Fields Too Large", HEADERS_TOO_LARGE)
                self.refuse(response, "headers too large")
                return
        if data and not self.refusing and not self.transport.is_closing():
            super().data_received(data)

    def on_message_begin(self) -> None:
        """A request starts: after a keep-alive pause its headers get a fresh deadline."""
        super().on_message_begin()
        self._arm_deadline()

    def on_headers_complete(self) -> None:
        """The headers are in: no deadline for the body or a long response (event stream)."""
        self.awaiting_headers = False
        self._disarm_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request is in: what follows is the next request's headers."""
        self.awaiting_headers = True
        self.header_bytes = 0
        super().on_message_complete()

    def refuse(self, response: bytes, why: str) -> None:
        """Answer `response`, stop reading requests, and close once the client has read it."""
        self.refusing = True
        self._disarm_deadline()
        self._unset_keepalive_if_required()
        self.shared.note_refusal(why)
        if self.shared.lingering >= MAX_LINGERING:
            self.transport.abort()  # a flood: no more descriptors spent on courtesy
            return
        self.lingering = True
        self.shared.lingering += 1
        self.transport.write(response)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        # Closing with unread request bytes would send a reset that can destroy the answer
        # in flight, so read and discard for a moment; a client that reads closes first.
        self.transport.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _arm_deadline(self) -> None:
        if self.header_deadline is None:
            timeout = self.shared.front.header_timeout
            self.header_deadline = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if self.awaiting_headers and not self.transport.is_closing():
            self.transport.close()


def limited_protocol(front: FrontEnd, max_connections: int) -> type[LimitedProtocol]:
    """A protocol class for uvicorn's `http=`, with one server's shared state."""

    class Protocol(LimitedProtocol):
        shared = _Shared(front, max_connections)

    return Protocol
