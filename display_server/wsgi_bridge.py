"""Run a WSGI app behind an ASGI server with one thread hop per request.

The request body is read on the event loop (it is small: the app caps it), the WSGI call runs
on a worker thread, and an ordinary response crosses back to the loop once, whole. Responses
larger than `BUFFER_BYTES` (exports, audio) are streamed chunk by chunk instead. a2wsgi, which
this replaces, passes every message through queues between the two sides, which on a 2-core
machine cost more per request than Flask itself (bench/bench_api.py measures the server).
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

BUFFER_BYTES = 256 * 1024
# How much of a body over the cap is read and dropped before answering 413 and closing.
DRAIN_BYTES = 1024 * 1024

_ERROR_BODY = b'{"error": "internal_error", "message": "L\\u1ed7i m\\u00e1y ch\\u1ee7."}'


class _Disconnected(Exception):
    """The client went away before its request body arrived."""


class WSGIBridge:
    """An ASGI callable for HTTP requests that runs `app` on a pool of `workers` threads."""

    def __init__(self, app: WSGIApp, *, workers: int, max_body: int) -> None:
        self.app = app
        self.max_body = max_body
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wsgi")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        try:
            body, too_large, rest_unread = await self._read_body(receive)
        except _Disconnected:
            return
        environ = build_environ(scope, body)
        if too_large:
            # The app answers 413 from the declared length without reading the input.
            environ["CONTENT_LENGTH"] = str(self.max_body + 1)
        loop = asyncio.get_running_loop()
        call = _Call(self.app, environ, loop, send)
        if rest_unread:
            # The connection still carries the rest of that body: it cannot serve another.
            call.extra_headers.append((b"connection", b"close"))
        await loop.run_in_executor(self.pool, call.run)
        if not call.streamed:
            await send(
                {"type": "http.response.start", "status": call.status, "headers": call.headers}
            )
            await send({"type": "http.response.body", "body": b"".join(call.chunks)})

    async def _read_body(self, receive: Receive) -> tuple[bytes, bool, bool]:
        """The body (up to the cap), whether it was over the cap, whether some is left unread."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_body:
                chunks.append(chunk)
            more = bool(message.get("more_body", False))
            if not more:
                break
            if size > self.max_body + DRAIN_BYTES:
                # Read past the cap only so far: the client sees 413 rather than a reset if
                # it stops soon, and an endless chunked body costs no more than this.
                return b"", True, True
        return b"".join(chunks), size > self.max_body, False

    def shutdown(self) -> None:
        """Let running requests finish; start no new ones."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Call:
    """One WSGI call on a worker thread; the response is buffered unless it is large."""

    def __init__(
        self,
        app: WSGIApp,
        environ: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
        send: Send,
    ) -> None:
        self.app = app
        self.environ = environ
        self.loop = loop
        self.send = send
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.extra_headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.streamed = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.streamed:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status[:3])
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ] + self.extra_headers
        return self._write

    def _write(self, data: bytes) -> None:  # the legacy write() callable of PEP 3333
        self._add(data)

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self.chunks.append(data)
        self.buffered += len(data)
        if self.streamed or self.buffered > BUFFER_BYTES:
            self._flush(more=True)

    def _flush(self, *, more: bool) -> None:
        if not self.streamed:
            self.streamed = True
            start = {"type": "http.response.start", "status": self.status, "headers": self.headers}
            self._on_loop(start)
        self._on_loop(
            {"type": "http.response.body", "body": b"".join(self.chunks), "more_body": more}
        )
        self.chunks = []
        self.buffered = 0

    def _on_loop(self, message: dict[str, Any]) -> None:
        async def forward() -> None:
            await self.send(message)

        asyncio.run_coroutine_threadsafe(forward(), self.loop).result()

    def run(self) -> None:
        try:
            result = self.app(self.environ, self.start_response)
            try:
                for chunk in result:
                    self._add(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            method, path = self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"]
            log.exception("unhandled error in %s %s", method, path)
            if self.streamed:
                return  # too late for a status: the client sees a cut-off body
            self.status = 500
            self.headers = [(b"content-type", b"application/json"), *self.extra_headers]
            self.chunks = [_ERROR_BODY]
            return
        if self.streamed:
            self._flush(more=False)


def build_environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The PEP 3333 environ of an ASGI HTTP request whose whole body is `body`."""
    root = scope.get("root_path", "").encode("utf-8").decode("latin-1")
    path = scope["path"].encode("utf-8").decode("latin-1")
    if root and path.startswith(root):
        path = path[len(root) :]
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root,
        "PATH_INFO": path,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server_name),
        "SERVER_PORT": str(server_port or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        if name == "TRANSFER_ENCODING":
            # The body is whole now: a chunked request must not look chunked to the app,
            # which would otherwise read it as empty (Werkzeug has no length to go by).
            continue
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    if "CONTENT_LENGTH" not in environ and body:
        environ["CONTENT_LENGTH"] = str(len(body))  # a chunked request, now whole
    return environ
