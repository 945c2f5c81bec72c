"""Network work off the Tk thread: actions on one worker, the queue kept in sync on another.

Results reach the window through a `Mailbox` that the Tk thread empties with `after(...)`, so
no Tk call is ever made from a worker thread. The syncer polls GET /api/v1/queue every two
seconds, or only now and then while the event stream is live and asks for refreshes itself.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import tkinter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import httpx

from .api_client import ApiClient
from .errors import CounterAppError, ServerError, SessionExpired, Unreachable
from .i18n import _
from .state import ActionRequest
from .stream import EventStream, ServerEvent
from .views import DayStats, QueueSnapshot

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_INTERVAL = 2.0  # no event stream: poll the queue this often (also the reconnect pace)
LIVE_INTERVAL = 15.0  # event stream live: a safety refresh this often
TODAY_INTERVAL = 30.0  # the officer's day, also a check that the token still works
GATHER_SECONDS = 0.05  # after a wake-up, wait this long for the rest of a burst of events


class Mailbox:
    """Carries callbacks from worker threads to the Tk thread, which drains it every few ms.

    It looks every 20 ms, and every 4 ms for a moment after `hurry()`: an officer's press
    is answered quickly while an idle window costs next to no CPU.
    """

    def __init__(self, root: tkinter.Misc, interval_ms: int = 20, hurried_ms: int = 4) -> None:
        self._root = root
        self._interval = interval_ms
        self._hurried = hurried_ms
        self._hurry_until = 0.0
        self._queue: queue.SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        self._after: str | None = None

    def post(self, callback: Callable[..., None], *args: Any) -> None:
        """Run `callback(*args)` on the Tk thread soon (callable from any thread)."""
        self._queue.put((callback, args))

    def hurry(self, seconds: float = 3.0) -> None:
        """Look often for a while: an answer the officer waits for is coming (Tk thread)."""
        self._hurry_until = time.monotonic() + seconds
        if self._after is not None:
            self._root.after_cancel(self._after)
            self._after = self._root.after(self._hurried, self._drain)

    def start(self) -> None:
        """Begin draining (Tk thread)."""
        if self._after is None:
            self._after = self._root.after(self._interval, self._drain)

    def stop(self) -> None:
        """Stop draining; callbacks still queued are dropped (Tk thread)."""
        if self._after is not None:
            self._root.after_cancel(self._after)
            self._after = None

    def drain(self) -> None:
        """Run every waiting callback now (Tk thread); a failing one is logged, never raised."""
        while True:
            try:
                callback, args = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                callback(*args)
            except Exception:
                log.exception("callback %r failed", callback)

    def _drain(self) -> None:
        self._after = None
        self.drain()
        hurried = time.monotonic() < self._hurry_until
        self._after = self._root.after(self._hurried if hurried else self._interval, self._drain)


class Listener(Protocol):
    """What the window does with results; every method runs on the Tk thread."""

    def on_snapshot(self, snapshot: QueueSnapshot, epoch: int) -> None: ...

    def on_today(self, stats: DayStats) -> None: ...

    def on_action_done(
        self, request: ActionRequest, answer: dict[str, Any], epoch: int
    ) -> None: ...

    def on_action_failed(self, request: ActionRequest, error: CounterAppError) -> None: ...

    def on_online(self, online: bool) -> None: ...

    def on_stream(self, live: bool) -> None: ...

    def on_session_expired(self, message: str) -> None: ...


class Connection:
    """One server for one window: an action worker, a syncer thread and the event stream."""

    def __init__(
        self,
        client: ApiClient,
        mailbox: Mailbox,
        listener: Listener,
        *,
        counter: int,
        use_stream: bool = True,
        stream_transport: httpx.BaseTransport | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.client = client
        self.counter = counter
        self.poll_interval = poll_interval
        self._mailbox = mailbox
        self._listener = listener
        self._actions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="luot-action")
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._epoch = 0
        self._today_due = True
        self._today_clock = 0.0
        self.online: bool | None = None
        self._syncer = threading.Thread(target=self._sync_loop, name="luot-sync", daemon=True)
        self.stream: EventStream | None = None
        if use_stream:
            self.stream = EventStream(
                client.server,
                headers=client.headers,
                on_event=self._on_event,
                on_live=self._on_live,
                transport=stream_transport,
            )

    # --- life -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the syncer and the stream."""
        self._syncer.start()
        if self.stream is not None:
            self.stream.start()

    def stop(self) -> None:
        """Stop every thread without waiting for a request in flight."""
        self._stopped.set()
        self._wake.set()
        if self.stream is not None:
            self.stream.stop()
        self._actions.shutdown(wait=False, cancel_futures=True)
        threading.Thread(target=self.client.close, name="luot-close", daemon=True).start()

    # --- asking for work --------------------------------------------------------------------

    def refresh(self, *, today: bool = False) -> None:
        """Fetch the queue (and the officer's day) soon."""
        if today:
            with self._lock:
                self._today_due = True
        self._wake.set()

    def perform(self, request: ActionRequest) -> None:
        """Send an officer action on the action worker."""
        self._submit(self._run_action, request)

    def call(
        self,
        function: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[CounterAppError], None],
    ) -> None:
        """Run `function` on the action worker; its result or error comes back on the Tk thread."""

        def run() -> None:
            try:
                result = function()
            except Unreachable as error:
                self._set_online(False)
                self._mailbox.post(on_error, error)
            except CounterAppError as error:
                self._mailbox.post(on_error, error)
            except Exception:
                if self._stopped.is_set():
                    return  # the window closed under us (its client is closed)
                log.exception("background call failed")
                unexpected = CounterAppError(_("Lỗi không mong đợi trong ứng dụng."))
                self._mailbox.post(on_error, unexpected)
            else:
                self._set_online(True)
                self._mailbox.post(on_done, result)

        self._submit(run)

    def _submit(self, function: Callable[..., None], *args: Any) -> None:
        if self._stopped.is_set():
            return
        try:
            self._actions.submit(function, *args)
        except RuntimeError:  # shut down meanwhile
            pass

    # --- on the worker threads --------------------------------------------------------------

    def _run_action(self, request: ActionRequest) -> None:
        try:
            answer = self.client.perform(self.counter, request)
        except Unreachable as error:
            self._set_online(False)
            self._mailbox.post(self._listener.on_action_failed, request, error)
            return
        except CounterAppError as error:
            if not isinstance(error, SessionExpired):
                self._set_online(True)
                self.refresh()
            self._mailbox.post(self._listener.on_action_failed, request, error)
            return
        except Exception:
            if self._stopped.is_set():
                return
            log.exception("action %s failed", request.action)
            unexpected = CounterAppError(_("Lỗi không mong đợi trong ứng dụng."))
            self._mailbox.post(self._listener.on_action_failed, request, unexpected)
            return
        self._set_online(True)
        with self._lock:
            self._epoch += 1
            epoch = self._epoch
        self._mailbox.post(self._listener.on_action_done, request, answer, epoch)
        self.refresh(today=True)

    def _sync_loop(self) -> None:
        while not self._stopped.is_set():
            if self.client.token is not None and not self._stopped.is_set():
                self._sync_once()
            live = self.stream is not None and self.stream.live and self.online
            if self._wake.wait(LIVE_INTERVAL if live else self.poll_interval):
                # An action's answer and the events it caused arrive together: one fetch.
                time.sleep(GATHER_SECONDS)
            self._wake.clear()

    def _sync_once(self) -> None:
        with self._lock:
            epoch = self._epoch
            today = self._today_due or time.monotonic() - self._today_clock > TODAY_INTERVAL
            self._today_due = False
        try:
            snapshot = QueueSnapshot.from_json(self.client.queue())
            self._set_online(True)
            self._mailbox.post(self._listener.on_snapshot, snapshot, epoch)
            if today:
                stats = DayStats.from_json(self.client.my_day())
                self._today_clock = time.monotonic()
                self._mailbox.post(self._listener.on_today, stats)
        except Unreachable:
            with self._lock:
                self._today_due = self._today_due or today
            self._set_online(False)
        except SessionExpired as error:
            self._mailbox.post(self._listener.on_session_expired, error.message)
        except ServerError as error:
            log.warning("sync failed: %s", error.message)
        except Exception:
            if not self._stopped.is_set():
                log.exception("sync failed")

    def _set_online(self, online: bool) -> None:
        with self._lock:
            changed = online != self.online
            self.online = online
            if changed and online:
                self._today_due = True
        if not changed:
            return
        self._mailbox.post(self._listener.on_online, online)
        if online:
            self._wake.set()
            if self.stream is not None:
                self.stream.wake()

    def _on_event(self, event: ServerEvent) -> None:
        today = event.kind.startswith("ticket.") and event.kind != "ticket.issued"
        self.refresh(today=today)

    def _on_live(self, live: bool) -> None:
        self._mailbox.post(self._listener.on_stream, live)
        self._wake.set()
