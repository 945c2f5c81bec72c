"""The server's live event stream (GET /api/v1/events, server-sent events) read on its own thread.

When the stream answers, every event asks for a refresh; when it does not (absent, refused,
dropped), `on_live(False)` tells the syncer to poll instead, and the stream is tried again later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

STREAM_PATH = "/api/v1/events"
# A live stream sends keep-alives; this long without a byte means it is dead.
READ_TIMEOUT = 45.0
RETRY_AFTER_DROP = 2.0  # the server asks for 1–3 s (its retry: field) to spread reconnects
RETRY_AFTER_FAILURE = (2.0, 5.0, 10.0, 30.0)
# Kinds that change nothing the counter shows (ticket.* events already ask for the refresh).
QUIET_KINDS = frozenset({"ping", "keepalive", "keep-alive", "heartbeat", "queue.waiting"})


@dataclass(frozen=True)
class ServerEvent:
    """One server-sent event: its `event:` name (or "message"), data and id."""

    kind: str
    data: str
    id: str | None = None


def parse_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Server-sent events from the stream's lines (comments and keep-alives skipped)."""
    kind, event_id = "", None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data or kind:
                yield ServerEvent(kind or "message", "\n".join(data), event_id)
            kind, data, event_id = "", [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            kind = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
    if data or kind:
        yield ServerEvent(kind or "message", "\n".join(data), event_id)


class EventStream:
    """Keeps one stream open while the app runs; reports events and whether it is live."""

    def __init__(
        self,
        server: str,
        *,
        headers: Callable[[], dict[str, str]],
        on_event: Callable[[ServerEvent], None],
        on_live: Callable[[bool], None],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._server = server.rstrip("/")
        self._headers = headers
        self._on_event = on_event
        self._on_live = on_live
        self._transport = transport
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="luot-events", daemon=True)
        self.live = False

    def start(self) -> None:
        """Start reading in the background."""
        self._thread.start()

    def wake(self) -> None:
        """Try to connect now (the server just came back)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop and drop the connection (the reading thread ends on its own)."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            if self._http is not None:
                self._http.close()

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                # No keep-alive: a stream the server ended (it is shutting down) must not be
                # reopened on the same connection, which would hold the server up.
                self._http = httpx.Client(
                    base_url=self._server,
                    timeout=httpx.Timeout(5.0, read=READ_TIMEOUT),
                    limits=httpx.Limits(max_keepalive_connections=0),
                    transport=self._transport,
                )
            return self._http

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            was_live = self._read_once()
            if self._stop.is_set():
                break
            self._wake.clear()  # only a wake-up during the pause below shortens it
            if was_live:
                failures = 0
                delay = RETRY_AFTER_DROP
            else:
                delay = RETRY_AFTER_FAILURE[min(failures, len(RETRY_AFTER_FAILURE) - 1)]
                failures += 1
            self._wake.wait(delay)
            self._wake.clear()
        with self._lock:
            if self._http is not None:
                self._http.close()

    def _read_once(self) -> bool:
        """Read the stream until it ends; True if it was live for a while."""
        headers = {**self._headers(), "Accept": "text/event-stream", "Cache-Control": "no-cache"}
        try:
            with self._client().stream("GET", STREAM_PATH, headers=headers) as response:
                content_type = response.headers.get("content-type", "")
                if response.status_code != 200 or "text/event-stream" not in content_type:
                    log.debug("no event stream (%s); polling instead", response.status_code)
                    return False
                self._set_live(True)
                for event in parse_events(response.iter_lines()):
                    if self._stop.is_set():
                        break
                    if event.kind not in QUIET_KINDS:
                        self._on_event(event)
        except (httpx.HTTPError, RuntimeError) as exc:
            # RuntimeError: the client was closed under us by stop().
            log.debug("event stream ended: %s", exc)
        finally:
            was_live = self.live
            self._set_live(False)
        return was_live

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            self._on_live(live)
