"""GET /api/v1/events: server-sent events for every screen, fanned out on the server's event loop.

Each connection owns a bounded asyncio.Queue. The bus thread encodes an event once and hands it
to the loop with one `call_soon_threadsafe`; the loop copies it into every queue. A connection
opens with a snapshot of the office (or, resuming with Last-Event-ID, the events it missed),
receives keep-alives, and ends when the client disconnects or stops reading (its queue fills).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from ..events import Event, EventBus
from .sse import (
    HEADERS,
    Receive,
    Scope,
    Send,
    body,
    encode,
    header,
    json_response,
    kinds_filter,
    office_iso,
    parse_event_id,
    refused_method,
)

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 256
SNAPSHOT_MAX_AGE = 1.0  # seconds a snapshot serves new connections while no event happened
WAITING_DELAY = 0.25  # seconds to gather a burst of ticket events before recounting the queue

SNAPSHOT = "snapshot"
RESUMED = "resumed"
KEEPALIVE = "keepalive"
QUEUE_WAITING = "queue.waiting"

Item = tuple[int, bytes] | None  # (bus seq or 0, encoded message); None ends the stream


class Subscriber:
    """One open event stream: its queue, the kinds it asked for, and the task serving it."""

    __slots__ = ("cancelled", "dropped", "kinds", "queue", "task")

    def __init__(self, size: int, kinds: tuple[str, ...] | None, task: asyncio.Task[Any] | None):
        self.queue: asyncio.Queue[Item] = asyncio.Queue(size)
        self.kinds = kinds
        self.task = task
        self.dropped = False  # stopped reading: its queue filled up
        self.cancelled = False  # its task was cancelled by the stream, not by the server

    def wants(self, kind: str) -> bool:
        """Whether this stream carries events of `kind` (keep-alives always pass)."""
        return self.kinds is None or kind == KEEPALIVE or kind.startswith(self.kinds)

    def end(self) -> None:
        """Ask the serving task to finish; cancel it if its queue is full (it is stuck writing)."""
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:
            self.cancel()

    def cancel(self) -> None:
        """Cancel the serving task, which may be stuck writing to a client that does not read."""
        if self.task is not None and not self.cancelled:
            self.cancelled = True
            self.task.cancel()


class EventStream:
    """The stream of one app: subscribes to its bus, serves connections on the ASGI event loop.

    `snapshot()` and `waiting()` run in worker threads and return JSON-ready dicts: the whole
    state a screen starts from, and the waiting count per service (sent after ticket events).
    """

    def __init__(
        self,
        bus: EventBus,
        snapshot: Callable[[], dict[str, Any]],
        waiting: Callable[[], dict[str, Any]] | None = None,
        *,
        keepalive: float = KEEPALIVE_SECONDS,
        queue_size: int = QUEUE_SIZE,
        timezone: Callable[[], str] = lambda: "UTC",
    ) -> None:
        self.bus = bus
        self.timezone = timezone
        self.snapshot = snapshot
        self.waiting = waiting
        self.keepalive = keepalive
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self.dropped = 0
        self.served = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._snapshot_cache: tuple[int, float, bytes] | None = None
        self._snapshot_job: tuple[int, asyncio.Future[bytes]] | None = None
        self._waiting_due = False
        self._waiting_key: str | None = None
        self._waiting_chunk: bytes | None = None  # the last counts sent, for resuming clients
        self._background: set[asyncio.Task[Any]] = set()
        self._chained: list[tuple[int, Any, Any]] = []
        self._unsubscribe = bus.subscribe(self.on_event)

    # --- the bus side (publisher thread) ----------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Bus callback: encode once, hand to the loop with one call; never blocks the publisher."""
        loop = self._loop
        if loop is None or not self.subscribers:
            return
        message = event.to_json()
        message["at"] = office_iso(self.timezone(), event.at)
        chunk = encode(event.kind, message, self.event_id(event.seq))
        try:
            loop.call_soon_threadsafe(self._fan_out, event.seq, event.kind, chunk)
        except RuntimeError:  # the loop has closed (server shutting down)
            self._loop = None

    def event_id(self, seq: int) -> str:
        """The SSE id of bus event `seq`: a new boot never matches an old id."""
        return f"{self.bus.boot_id}-{seq}"

    def shutdown(self) -> None:
        """Stop listening to the bus; give back the signal handlers it wrapped."""
        self._unsubscribe()
        if threading.current_thread() is threading.main_thread():
            for signum, previous, ours in self._chained:
                if signal.getsignal(signum) is ours:
                    signal.signal(signum, previous)
        self._chained.clear()

    # --- the loop side ----------------------------------------------------------------------

    def _attach(self) -> None:
        """Remember the serving loop and start the keep-alive ticker on it (once per loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._snapshot_job = None
            self._ticker = loop.create_task(self._tick())
            self._end_streams_on_exit_signals(loop)

    def _end_streams_on_exit_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """Let a stopping server end every stream at once.

        uvicorn waits for open responses before it shuts down, and an event stream never ends
        by itself; so the signal that stops the server (its handler is kept) also ends streams.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue  # not run by a server that handles the signal (tests, scripts)

            def handler(number: int, frame: Any, previous: Any = previous) -> None:
                with contextlib.suppress(RuntimeError):  # the loop may be closed already
                    loop.call_soon_threadsafe(self.end_all)
                previous(number, frame)

            signal.signal(signum, handler)
            self._chained.append((signum, previous, handler))

    def end_all(self) -> None:
        """End every open stream (the server is stopping); clients reconnect on their own."""
        for subscriber in tuple(self.subscribers):
            subscriber.end()

    def _fan_out(self, seq: int, kind: str, chunk: bytes) -> None:
        """Copy one message into every queue that wants it; a full queue drops its client."""
        for subscriber in tuple(self.subscribers):
            if not subscriber.wants(kind) or subscriber.dropped:
                continue
            try:
                subscriber.queue.put_nowait((seq, chunk))
            except asyncio.QueueFull:
                self._drop(subscriber)
        if kind.startswith("ticket."):
            self._schedule_waiting()

    def _drop(self, subscriber: Subscriber) -> None:
        """End a stream whose client stopped reading; it reconnects and resumes later."""
        subscriber.dropped = True
        self.dropped += 1
        log.warning(
            "event stream: dropped a client that stopped reading (%d queued)", self.queue_size
        )
        subscriber.cancel()

    async def _tick(self) -> None:
        """Send a keep-alive to every stream: it shows a watchdog the server is there, and a
        write to a vanished client eventually fails, which ends its stream."""
        while True:
            await asyncio.sleep(self.keepalive)
            if self.subscribers:
                chunk = encode(
                    KEEPALIVE, {"server_time": office_iso(self.timezone())}, comment="keep-alive"
                )
                self._fan_out(0, KEEPALIVE, chunk)

    def _schedule_waiting(self) -> None:
        """Recount the waiting queue shortly, once for a burst of events and for every client."""
        if self.waiting is None or self._waiting_due or self._loop is None:
            return
        self._waiting_due = True
        self._loop.call_later(WAITING_DELAY, self._start_waiting)

    def _start_waiting(self) -> None:
        task = asyncio.ensure_future(self._send_waiting())
        self._background.add(task)  # a reference, so the task is not collected mid-way
        task.add_done_callback(self._background.discard)

    async def _send_waiting(self) -> None:
        self._waiting_due = False
        if self.waiting is None or not self.subscribers:
            return
        try:
            counts = await asyncio.to_thread(self.waiting)
        except Exception:
            log.exception("event stream: counting the waiting queue failed")
            return
        key = repr(
            [
                (s.get("code"), s.get("waiting"), s.get("priority_waiting"))
                for s in counts.get("services", [])
            ]
        )
        if key == self._waiting_key:
            return  # e.g. a finish changes nobody's wait: a thousand writes saved
        # Shaped like the bus's events.
        message = {"kind": QUEUE_WAITING, "at": office_iso(self.timezone()), "data": counts}
        self._waiting_key, self._waiting_chunk = key, encode(QUEUE_WAITING, message)
        self._fan_out(0, QUEUE_WAITING, self._waiting_chunk)

    async def _snapshot_message(self) -> tuple[int, bytes]:
        """The snapshot message and the last event seq it is certain to include.

        Connections arriving together share one build: after a restart every display
        reconnects at once, and the database sees a handful of queries, not a thousand.
        """
        loop = asyncio.get_running_loop()
        seq = self.bus.last_seq
        cached = self._snapshot_cache
        if cached is not None and cached[0] == seq and loop.time() - cached[1] < SNAPSHOT_MAX_AGE:
            return seq, cached[2]
        job = self._snapshot_job
        if job is None or job[0] != seq or _failed(job[1]):
            job = (seq, asyncio.ensure_future(self._build_snapshot(seq)))
            self._snapshot_job = job
        return seq, await asyncio.shield(job[1])

    async def _build_snapshot(self, seq: int) -> bytes:
        payload = await asyncio.to_thread(self.snapshot)
        payload.update(
            boot_id=self.bus.boot_id,
            seq=seq,
            server_time=office_iso(self.timezone()),
            keepalive_seconds=self.keepalive,
        )
        chunk = encode(SNAPSHOT, payload, self.event_id(seq))
        self._snapshot_cache = (seq, asyncio.get_running_loop().time(), chunk)
        return chunk

    # --- one connection ---------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI handler of GET /api/v1/events."""
        if await refused_method(scope, send):
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        if scope.get("method") == "HEAD":
            await body(send, b"", more=False)
            return
        self._attach()
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        last_id = header(scope, b"last-event-id") or (query.get("last_event_id") or [None])[0]
        kinds = kinds_filter((query.get("kinds") or [None])[0])
        subscriber = Subscriber(self.queue_size, kinds, asyncio.current_task())
        # Subscribed before the snapshot is read, so nothing published meanwhile is lost.
        self.subscribers.add(subscriber)
        self.served += 1
        watcher = asyncio.ensure_future(_watch_disconnect(receive, subscriber))
        try:
            retry = random.randint(1000, 3000)  # spreads the reconnects after a restart
            await body(send, f"retry: {retry}\n\n".encode())
            try:
                sent = await self._open(subscriber, parse_event_id(last_id), send)
            except Exception:
                log.exception("event stream: could not open a stream; the client will retry")
            else:
                await self._relay(subscriber, sent, send)
            await body(send, b"", more=False)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not subscriber.cancelled or task is None:
                raise
            task.uncancel()  # our own cancellation: the client was dropped, the server goes on
        finally:
            self.subscribers.discard(subscriber)
            watcher.cancel()

    async def _relay(self, subscriber: Subscriber, sent: int, send: Send) -> None:
        """Write what arrives in the queue until the stream ends; `sent`: the last seq sent."""
        while True:
            # All that is queued goes out in one write: a call brings several events at once.
            items = [await subscriber.queue.get()]
            while not subscriber.queue.empty():
                items.append(subscriber.queue.get_nowait())
            chunks = []
            for item in items:
                if item is None:
                    break
                seq, chunk = item
                if not seq or seq > sent:  # else the snapshot or the replay had it
                    chunks.append(chunk)
                    sent = max(sent, seq)
            if chunks:
                await body(send, b"".join(chunks))
            if None in items:
                return

    async def _open(self, subscriber: Subscriber, last: tuple[str, int] | None, send: Send) -> int:
        """Send the opening of a stream; returns the last bus seq the client now holds."""
        missed = None
        if last is not None and last[0] == self.bus.boot_id:
            missed = self.bus.since(last[1])
        if missed is None:
            seq, chunk = await self._snapshot_message()
            await body(send, chunk)
            return seq
        sent = last[1] if last is not None else 0
        replay = [
            encode(
                RESUMED,
                {
                    "boot_id": self.bus.boot_id,
                    "from": sent,
                    "missed": len(missed),
                    "server_time": office_iso(self.timezone()),
                    "keepalive_seconds": self.keepalive,
                },
            )
        ]
        for event in missed:
            if subscriber.wants(event.kind):
                replay.append(encode(event.kind, event.to_json(), self.event_id(event.seq)))
            sent = event.seq
        if missed and self._waiting_chunk is not None:
            replay.append(self._waiting_chunk)  # the counts may have changed meanwhile
        await body(send, b"".join(replay))
        return sent

    def stats(self) -> dict[str, Any]:
        """Open streams and totals, for monitoring and the benchmark."""
        return {
            "subscribers": len(self.subscribers),
            "served": self.served,
            "dropped": self.dropped,
            "boot_id": self.bus.boot_id,
            "last_seq": self.bus.last_seq,
            "keepalive_seconds": self.keepalive,
            "queue_size": self.queue_size,
        }

    async def stats_endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI handler of GET /api/v1/events/stats."""
        if not await refused_method(scope, send):
            await json_response(send, 200, self.stats())


def _failed(future: asyncio.Future[Any]) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)


async def _watch_disconnect(receive: Receive, subscriber: Subscriber) -> None:
    """End the stream when the client goes away."""
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            subscriber.end()
            return
