"""The event-stream reader: SSE parsing, live/not-live reports, reconnecting after a drop."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from counter_app import stream
from counter_app.stream import EventStream, ServerEvent, parse_events


def test_parse_events_reads_the_servers_format() -> None:
    lines = [
        "retry: 1150",
        "",
        "id: b00t-0",
        "event: snapshot",
        'data: {"queue":{}}',
        "",
        ": keep-alive",
        "event: keepalive",
        'data: {"server_time":"x"}',
        "",
        "event: ticket.called",
        "data: line one",
        "data: line two",
        "",
        "data: no name",
    ]
    assert list(parse_events(lines)) == [
        ServerEvent("snapshot", '{"queue":{}}', "b00t-0"),
        ServerEvent("keepalive", '{"server_time":"x"}'),
        ServerEvent("ticket.called", "line one\nline two"),
        ServerEvent("message", "no name"),
    ]


class FakeEvents(BaseHTTPRequestHandler):
    """GET /api/v1/events: 404 while `absent`, else a stream fed from the server's queue."""

    server: EventServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.headers_seen.append(dict(self.headers))
        if self.server.absent or self.path != "/api/v1/events":
            body = b'{"error":"not_found","message":"Kh\\u00f4ng t\\u00ecm th\\u1ea5y."}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\nevent: snapshot\ndata: {}\n\n")
        self.wfile.flush()
        while True:
            chunk = self.server.outbox.get()
            if chunk is None:
                return  # the server drops the stream
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class EventServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeEvents)
        self.absent = False
        self.outbox: queue.Queue[bytes | None] = queue.Queue()
        self.headers_seen: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def events_server() -> Iterator[EventServer]:
    server = EventServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.outbox.put(None)
    server.shutdown()
    server.server_close()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_events_arrive_and_a_drop_reconnects(
    events_server: EventServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "RETRY_AFTER_DROP", 0.05)
    kinds: list[str] = []
    live: list[bool] = []
    reader = EventStream(
        events_server.url,
        headers=lambda: {"Authorization": "Bearer t0k"},
        on_event=lambda e: kinds.append(e.kind),
        on_live=live.append,
    )
    reader.start()
    try:
        wait_for(lambda: kinds == ["snapshot"])
        assert live == [True] and reader.live
        assert events_server.headers_seen[0]["Authorization"] == "Bearer t0k"
        events_server.outbox.put(b": keep-alive\nevent: keepalive\ndata: {}\n\n")
        events_server.outbox.put(b"event: queue.waiting\ndata: {}\n\n")
        events_server.outbox.put(b"event: ticket.called\ndata: {}\n\n")
        wait_for(lambda: kinds == ["snapshot", "ticket.called"])  # quiet kinds skipped

        events_server.outbox.put(None)  # dropped: not live, then back with a new snapshot
        wait_for(lambda: live[-3:] == [True, False, True])
        wait_for(lambda: kinds[-1] == "snapshot" and len(kinds) == 3)
    finally:
        reader.stop()


def test_no_stream_means_not_live_and_a_later_try(
    events_server: EventServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "RETRY_AFTER_FAILURE", (0.05,))
    events_server.absent = True
    live: list[bool] = []
    reader = EventStream(
        events_server.url, headers=dict, on_event=lambda e: None, on_live=live.append
    )
    reader.start()
    try:
        wait_for(lambda: len(events_server.headers_seen) >= 2)
        assert live == [] and not reader.live
        events_server.absent = False  # the stream appears (the server was upgraded)
        wait_for(lambda: live == [True])
    finally:
        reader.stop()
