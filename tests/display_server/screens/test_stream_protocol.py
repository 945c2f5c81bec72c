"""GET /api/v1/events on a real `luot serve`, read with a plain HTTP client."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.servers import LiveServer

from .conftest import EventReader, Officer, issue, start_server, stream_stats, wait_for

ID = re.compile(r"^(?P<boot>[0-9a-f]{12})-(?P<seq>\d+)$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module; the restart test stops and starts it again."""
    live = start_server(tmp_path_factory.mktemp("stream") / "server")
    yield live
    live.stop()


def queue_now(server: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/api/v1/queue", timeout=5).json()
    return body


def waiting_counts(queue: dict[str, Any]) -> dict[str, int]:
    return {s["code"]: s["waiting"] for s in queue["services"]}


def seq_of(message_id: str | None) -> int:
    match = ID.match(message_id or "")
    assert match, message_id
    return int(match["seq"])


def test_a_stream_opens_with_a_snapshot_then_carries_events_and_keepalives(
    server: LiveServer, events: Callable[..., EventReader]
) -> None:
    issue(server.url, "A")
    reader = events(server.url)
    assert reader.response.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in reader.response.headers["cache-control"]

    # The snapshot comes before anything else, keep-alives included: it is sent at once.
    first = reader.next(skip_keepalives=False)
    assert first.event == "snapshot"
    boot_id = stream_stats(server.url)["boot_id"]
    assert ID.match(first.id or "") and first.id == f"{boot_id}-{seq_of(first.id)}"
    snapshot = first.json()
    assert snapshot["boot_id"] == boot_id
    assert waiting_counts(snapshot["queue"]) == waiting_counts(queue_now(server))
    assert snapshot["voice"] == {"enabled": True}

    keepalive = reader.next(skip_keepalives=False)
    assert keepalive.event == "keepalive" and keepalive.comments == ["keep-alive"]
    assert keepalive.id is None  # a keep-alive never moves the client's last event id

    ticket = issue(server.url, "C")
    issued = reader.next()
    assert issued.event == "ticket.issued"
    # Every time on the stream is in office time, with its offset, like the rest of the API.
    assert snapshot["server_time"].endswith("+07:00")
    assert keepalive.json()["server_time"].endswith("+07:00")
    assert issued.json()["at"].endswith("+07:00")
    assert seq_of(issued.id) > seq_of(first.id)
    body = issued.json()
    assert body["kind"] == "ticket.issued" and body["seq"] == seq_of(issued.id)
    assert body["data"]["ticket"]["number"] == ticket["number"]
    waiting = reader.until("queue.waiting")  # one recount after a burst, for every client
    assert waiting.id is None
    assert waiting.json()["kind"] == "queue.waiting"
    assert waiting_counts(waiting.json()["data"]) == waiting_counts(queue_now(server))


def test_a_client_resumes_from_its_last_event_id(
    server: LiveServer, events: Callable[..., EventReader], officers: Callable[..., Officer]
) -> None:
    reader = events(server.url)
    snapshot = reader.next()
    reader.close()

    officer = officers(server.url, "lan", 1)
    issue(server.url, "A")
    ticket = officer.act("call-next")

    resumed = events(server.url, headers={"Last-Event-ID": snapshot.id})
    opening = resumed.next()
    assert opening.event == "resumed" and opening.id is None
    assert opening.json()["from"] == seq_of(snapshot.id)
    missed = [resumed.next() for _ in range(opening.json()["missed"])]
    kinds = [m.event for m in missed]
    assert "ticket.issued" in kinds and "ticket.called" in kinds and "snapshot" not in kinds
    seqs = [seq_of(m.id) for m in missed]
    assert seqs == list(range(seq_of(snapshot.id) + 1, seq_of(snapshot.id) + 1 + len(seqs)))
    called = next(m for m in missed if m.event == "ticket.called").json()
    assert called["data"]["ticket"]["number"] == ticket["number"]

    # A new EventSource cannot send the header: the query parameter does the same.
    again = events(server.url, query=f"?last_event_id={missed[-1].id}")
    reopened = again.next()
    assert reopened.event == "resumed"
    # Only what came after (the voice feature's announcement may have, meanwhile).
    later = [again.next() for _ in range(reopened.json()["missed"])]
    assert all(seq_of(m.id) > seq_of(missed[-1].id) for m in later)

    for stale in ("nonsense", "000000000000-1", f"{snapshot.id}x"):
        assert events(server.url, headers={"Last-Event-ID": stale}).next().event == "snapshot"


def test_after_a_restart_an_old_event_id_gets_a_fresh_snapshot(
    server: LiveServer, events: Callable[..., EventReader]
) -> None:
    issue(server.url, "A")
    reader = events(server.url)
    before = reader.next()
    reader.close()
    counts = waiting_counts(queue_now(server))
    server.stop()
    server.start()

    after = events(server.url, headers={"Last-Event-ID": before.id}).next()
    assert after.event == "snapshot"
    assert ID.match(after.id or "")["boot"] != ID.match(before.id or "")["boot"]  # type: ignore[index]
    assert waiting_counts(after.json()["queue"]) == counts  # the state survived, in the snapshot


def test_vanished_clients_are_cleaned_up(server: LiveServer) -> None:
    sockets = []
    for _ in range(25):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        sockets.append(sock)
    wait_for(lambda: stream_stats(server.url)["subscribers"] == 25)
    for sock in sockets:
        sock.close()
    wait_for(lambda: stream_stats(server.url)["subscribers"] == 0, timeout=5)


def test_a_stream_can_ask_for_some_kinds_only(
    server: LiveServer, events: Callable[..., EventReader], officers: Callable[..., Officer]
) -> None:
    reader = events(server.url, query="?kinds=ticket.called,counter.")
    assert reader.next().event == "snapshot"
    officers(server.url, "hung", 2)  # opens counter 2: counter.state
    issue(server.url, "C")  # ticket.issued: filtered out
    assert reader.next().event == "counter.state"
    officers(server.url, "binh", 3).act("call-next")
    kinds = {reader.next().event for _ in range(2)}
    assert "ticket.called" in kinds and "ticket.issued" not in kinds
