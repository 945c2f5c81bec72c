"""The event stream's fan-out, in process: one hand-off per event, bounded queues, clean-up."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from display_server.events import EventBus
from display_server.screens.sse import encode, parse_event_id
from display_server.screens.stream import EventStream


class Client:
    """A fake ASGI connection: records what the stream sends; can stop reading or go away."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.gone = asyncio.Event()
        self.stuck = asyncio.Event()  # set: every later write blocks, like a full socket
        self.asked = False

    async def receive(self) -> dict[str, Any]:
        if not self.asked:
            self.asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if self.stuck.is_set() and message["type"] == "http.response.body":
            await asyncio.Event().wait()
        self.messages.append(message)

    def text(self) -> str:
        return b"".join(m.get("body", b"") for m in self.messages).decode()


def scope(query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/events",
        "query_string": query,
        "headers": headers or [],
    }


async def until(predicate: Any, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def publish_from_thread(bus: EventBus, count: int) -> None:
    """Publish as the database does: from another thread."""

    def run() -> None:
        for n in range(count):
            bus.publish("ticket.called", 1, {"ticket": {"number": f"A{n:03d}"}})

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


async def publish_slowly(bus: EventBus, count: int, batch: int = 4) -> None:
    """Publish in small bursts, giving clients that read the time to keep up."""
    for start in range(0, count, batch):
        await asyncio.to_thread(publish_from_thread, bus, min(batch, count - start))
        await asyncio.sleep(0.01)


def make_stream(bus: EventBus, calls: list[str] | None = None, **options: Any) -> EventStream:
    def snapshot() -> dict[str, Any]:
        if calls is not None:
            calls.append("snapshot")
        return {"queue": {"services": []}}

    return EventStream(bus, snapshot, None, **{"keepalive": 30.0, **options})


def test_one_hand_off_per_event_whatever_the_number_of_clients() -> None:
    async def run() -> None:
        bus = EventBus()
        stream = make_stream(bus)
        clients = [Client() for _ in range(200)]
        tasks = [asyncio.ensure_future(stream(scope(), c.receive, c.send)) for c in clients]
        await until(lambda: all("snapshot" in c.text() for c in clients))
        loop = asyncio.get_running_loop()
        original = loop.call_soon_threadsafe
        hand_offs: list[Any] = []

        def counting(callback: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(callback, "__func__", None) is EventStream._fan_out:
                hand_offs.append(callback)
            return original(callback, *args, **kwargs)

        loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
        await asyncio.to_thread(publish_from_thread, bus, 3)
        await until(lambda: all(c.text().count("event: ticket.called") == 3 for c in clients))
        loop.call_soon_threadsafe = original  # type: ignore[method-assign]
        assert len(hand_offs) == 3
        for client in clients:
            client.gone.set()
        await asyncio.gather(*tasks)
        assert stream.stats()["subscribers"] == 0
        stream.shutdown()

    asyncio.run(run())


def test_a_client_that_stops_reading_is_dropped_not_buffered() -> None:
    async def run() -> None:
        bus = EventBus()
        stream = make_stream(bus, queue_size=8)
        slow, fine = Client(), Client()
        slow_task = asyncio.ensure_future(stream(scope(), slow.receive, slow.send))
        fine_task = asyncio.ensure_future(stream(scope(), fine.receive, fine.send))
        await until(lambda: "snapshot" in slow.text() and "snapshot" in fine.text())
        slow.stuck.set()
        await publish_slowly(bus, 30)
        await asyncio.wait_for(slow_task, 2)  # ended, although its writes never return
        assert stream.stats()["dropped"] == 1
        await until(lambda: fine.text().count("event: ticket.called") == 30)
        assert stream.stats()["subscribers"] == 1
        fine.gone.set()
        await fine_task
        stream.shutdown()

    asyncio.run(run())


def test_clients_arriving_together_share_one_snapshot() -> None:
    async def run() -> None:
        bus = EventBus()
        calls: list[str] = []
        stream = make_stream(bus, calls)
        clients = [Client() for _ in range(50)]
        tasks = [asyncio.ensure_future(stream(scope(), c.receive, c.send)) for c in clients]
        await until(lambda: all("snapshot" in c.text() for c in clients))
        assert calls == ["snapshot"]
        for client in clients:
            client.gone.set()
        await asyncio.gather(*tasks)
        stream.shutdown()

    asyncio.run(run())


def test_events_published_while_the_snapshot_is_read_are_not_lost() -> None:
    async def run() -> None:
        bus = EventBus()
        release = threading.Event()

        def slow_snapshot() -> dict[str, Any]:
            release.wait(2)
            return {"queue": {}}

        stream = EventStream(bus, slow_snapshot, None, keepalive=30.0)
        client = Client()
        task = asyncio.ensure_future(stream(scope(), client.receive, client.send))
        await until(lambda: stream.stats()["subscribers"] == 1)
        await asyncio.to_thread(publish_from_thread, bus, 2)
        release.set()
        await until(lambda: client.text().count("event: ticket.called") == 2)
        text = client.text()
        assert text.index("event: snapshot") < text.index("event: ticket.called")
        assert f"id: {bus.boot_id}-2\n" in text
        client.gone.set()
        await task
        stream.shutdown()

    asyncio.run(run())


def test_keepalives_reach_every_client_and_a_stopping_server_ends_streams() -> None:
    async def run() -> None:
        bus = EventBus()
        stream = make_stream(bus, keepalive=0.05)
        clients = [Client() for _ in range(3)]
        tasks = [asyncio.ensure_future(stream(scope(), c.receive, c.send)) for c in clients]
        await until(lambda: all(c.text().count("event: keepalive") >= 2 for c in clients))
        stream.end_all()
        await asyncio.wait_for(asyncio.gather(*tasks), 1)
        for client in clients:
            assert client.messages[-1] == {
                "type": "http.response.body",
                "body": b"",
                "more_body": False,
            }
        stream.shutdown()

    asyncio.run(run())


def test_only_get_is_served() -> None:
    async def run() -> None:
        stream = make_stream(EventBus())
        client = Client()
        await stream({**scope(), "method": "POST"}, client.receive, client.send)
        assert client.messages[0]["status"] == 405
        stream.shutdown()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("0123abcd4567-42", ("0123abcd4567", 42)),
        ("x-y", None),
        ("", None),
        (None, None),
        ("abc-", None),
        ("-5", None),
        ("a-b-7", ("a-b", 7)),
    ],
)
def test_event_ids(value: str | None, parsed: tuple[str, int] | None) -> None:
    assert parse_event_id(value) == parsed


def test_messages_are_one_line_of_json() -> None:
    chunk = encode("ticket.called", {"text": "Mời số A012\nđến quầy 3"}, "b-7", comment="hi")
    assert (
        chunk
        == (
            ': hi\nid: b-7\nevent: ticket.called\ndata: {"text":"Mời số A012\\nđến quầy 3"}\n\n'
        ).encode()
    )
