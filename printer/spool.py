"""One print spool per printer: a worker thread owns the printer and works through a job queue.

`submit` never blocks. A job is sent whole, after the printer says it can print, and counts as
printed once the printer answers a status query sent after it (proof it received every byte)
or, for printers that cannot answer, once the write and close succeed. A job that fails stays
pending and is retried with exponential back-off, then every `retry_max` seconds, until it
prints or is cancelled. A job key is printed at most once, however often it is submitted.
"""

from __future__ import annotations

import collections
import enum
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .backends import open_printer, parse_printer_url
from .errors import PrinterConnectionError, PrinterError, PrinterNotReadyError
from .status import PrinterState, read_state

log = logging.getLogger(__name__)


class JobState(enum.StrEnum):
    """Where a job stands: waiting (or retrying), printed, or given up (cancelled)."""

    PENDING = "pending"
    PRINTED = "printed"
    FAILED = "failed"


class PrintJob:
    """One submitted job; its fields change on the worker thread, `wait` blocks on them."""

    def __init__(self, key: str, data: bytes) -> None:
        self.key = key
        self.data = data
        self.state = JobState.PENDING
        self.attempts = 0
        self.last_error: str | None = None
        self.submitted_at = datetime.now(UTC)
        self.printed_at: datetime | None = None
        self._settled = threading.Event()

    def wait(self, timeout: float | None = None) -> JobState:
        """Wait up to `timeout` seconds for the job to print or fail; return its state."""
        self._settled.wait(timeout)
        return self.state

    def _settle(self, state: JobState, error: str | None = None) -> None:
        self.state = state
        self.data = b""  # settled jobs are remembered for their key, not their bytes
        if error is not None:
            self.last_error = error
        if state is JobState.PRINTED:
            self.printed_at = datetime.now(UTC)
        self._settled.set()

    def __repr__(self) -> str:
        return f"<PrintJob {self.key} {self.state} attempts={self.attempts}>"


@dataclass(frozen=True)
class SpoolStatus:
    """A snapshot of a spool for status pages."""

    url: str
    state: PrinterState
    last_error: str | None
    pending: int
    last_printed_at: datetime | None
    checked_at: datetime | None


class PrintSpool:
    """The queue and worker thread of one printer; thread-safe."""

    def __init__(
        self,
        url: str,
        profile: str | None = None,
        *,
        timeout: float = 1.5,
        write_timeout: float = 10.0,
        retry_initial: float = 0.5,
        retry_max: float = 15.0,
        quick_retries: int = 4,
        poll_interval: float | None = 30.0,
        history: int = 1000,
    ) -> None:
        self.url = url
        self.profile = profile
        self.timeout = timeout
        self.write_timeout = max(write_timeout, timeout)
        self.retry_initial = retry_initial
        self.retry_max = max(retry_max, retry_initial)
        self.quick_retries = quick_retries
        self.poll_interval = poll_interval
        self._asks_status = parse_printer_url(url).answers_status  # raises on a bad URL
        self._history = history
        self._lock = threading.Condition()
        self._jobs: collections.OrderedDict[str, PrintJob] = collections.OrderedDict()
        self._queue: collections.deque[PrintJob] = collections.deque()
        self._current: PrintJob | None = None
        self._failures = 0
        self._next_attempt = 0.0
        self._state = PrinterState.UNKNOWN
        self._last_error: str | None = None
        self._last_printed_at: datetime | None = None
        self._checked_at: datetime | None = None
        self._last_contact = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"print-spool {url}", daemon=True)
        self._thread.start()

    # -- the caller's side -------------------------------------------------------------------

    def submit(self, data: bytes, key: str | None = None) -> PrintJob:
        """Queue `data`; a key already pending or printed returns the existing job instead."""
        key = key or uuid.uuid4().hex
        with self._lock:
            if self._stopping:
                raise PrinterError(f"the print spool of {self.url} is closed")
            known = self._jobs.get(key)
            if known is not None and known.state is not JobState.FAILED:
                return known
            job = PrintJob(key, data)
            if not self._queue:
                self._next_attempt = 0.0  # a fresh job gets an immediate try
            self._jobs[key] = job
            self._jobs.move_to_end(key)
            self._queue.append(job)
            self._forget_old()
            self._lock.notify_all()
            return job

    def cancel(self, key: str) -> bool:
        """Give up a pending job that is not being sent right now; True if it was cancelled."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.state is not JobState.PENDING or job is self._current:
                return False
            self._queue.remove(job)
            job._settle(JobState.FAILED, "cancelled")
            log.info("print job %s on %s cancelled", key, self.url)
            return True

    def job(self, key: str) -> PrintJob | None:
        """The job submitted under `key`, if still remembered."""
        with self._lock:
            return self._jobs.get(key)

    def retry_now(self) -> None:
        """Skip the current back-off wait (after the staff reloaded paper, say)."""
        with self._lock:
            self._next_attempt = 0.0
            self._lock.notify_all()

    @property
    def state(self) -> PrinterState:
        """The printer's last known state."""
        return self._state

    def status(self) -> SpoolStatus:
        """A snapshot: state, last error, number of pending jobs, last print and check times."""
        with self._lock:
            return SpoolStatus(
                url=self.url,
                state=self._state,
                last_error=self._last_error,
                pending=len(self._queue),
                last_printed_at=self._last_printed_at,
                checked_at=self._checked_at,
            )

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after the job in hand; jobs still pending are logged and dropped."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        self._thread.join(timeout)
        if self._queue:
            log.warning("printer %s closed with %d job(s) unprinted", self.url, len(self._queue))

    def __enter__(self) -> PrintSpool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the worker's side -------------------------------------------------------------------

    def _run(self) -> None:
        """Worker loop: send the head job when due, else poll the printer when due, else wait."""
        while True:
            with self._lock:
                due = self._next_due()
            if due is None:
                return
            if due == "poll":
                self._poll()
            else:
                self._attempt(due)

    def _next_due(self) -> PrintJob | Literal["poll"] | None:
        """Wait (holding the condition) until a job or a poll is due; None when stopping."""
        while not self._stopping:
            now = time.monotonic()
            if self._queue:
                if now >= self._next_attempt:
                    self._current = self._queue[0]
                    return self._current
                self._lock.wait(self._next_attempt - now)
            elif self.poll_interval and self._asks_status:
                next_poll = self._last_contact + self.poll_interval
                if now >= next_poll:
                    return "poll"
                self._lock.wait(next_poll - now)
            else:
                self._lock.wait()
        return None

    def _poll(self) -> None:
        """Idle check of the printer's state, so status pages show paper out before a ticket."""
        try:
            with _Connection(self) as printer:
                self._note_state(read_state(printer))
        except PrinterError as exc:
            self._note_state(_failure_state(exc), str(exc))
        finally:
            self._last_contact = time.monotonic()

    def _attempt(self, job: PrintJob) -> None:
        """Try to print `job` once; on failure schedule the next try, never raise."""
        job.attempts += 1
        try:
            self._print(job.data)
        except Exception as exc:  # anything: a worker that dies would freeze the queue
            if not isinstance(exc, PrinterError):
                log.exception("unexpected error printing on %s", self.url)
            self._note_failure(exc, job)
            return
        finally:
            self._last_contact = time.monotonic()
        with self._lock:
            self._queue.popleft()
            self._current = None
            self._failures = 0
            self._next_attempt = 0.0
            self._last_printed_at = datetime.now(UTC)
            job._settle(JobState.PRINTED)
        log.info("printed job %s on %s (attempt %d)", job.key, self.url, job.attempts)

    def _print(self, data: bytes) -> None:
        """Connect, check the printer can print, send everything, confirm, disconnect."""
        with _Connection(self) as printer:
            if self._asks_status:
                state = read_state(printer)
                self._note_state(state)
                if not state.can_print:
                    raise PrinterNotReadyError(f"the printer reports {state}", state)
            _set_write_timeout(printer, self.write_timeout)
            try:
                printer._raw(data)
            except Exception as exc:
                raise PrinterConnectionError(f"sending failed: {exc}") from exc
            _set_write_timeout(printer, self.timeout)
            if self._asks_status:
                self._note_state(read_state(printer))  # the answer proves delivery
            printer.close()  # CUPS and Windows send the job here, so errors count
        if not self._asks_status:
            self._note_state(PrinterState.ONLINE)

    def _note_state(self, state: PrinterState, error: str | None = None) -> None:
        """Record the printer's state (and the error that revealed it); log changes."""
        with self._lock:
            self._checked_at = datetime.now(UTC)
            self._last_error = error
            previous, self._state = self._state, state
        if state is not previous:
            level = logging.INFO if state.can_print else logging.WARNING
            log.log(level, "printer %s is now %s (was %s)", self.url, state, previous)

    def _note_failure(self, exc: BaseException, job: PrintJob) -> None:
        """Record a failed attempt at `job` and schedule the next one."""
        error = str(exc) or type(exc).__name__
        self._note_state(_failure_state(exc), error)
        with self._lock:
            self._failures += 1
            self._current = None
            job.last_error = error
            if self._failures <= self.quick_retries:
                delay = min(self.retry_initial * 2 ** (self._failures - 1), self.retry_max)
            else:
                delay = self.retry_max
            self._next_attempt = time.monotonic() + delay
            pending = len(self._queue)
        if self._failures == self.quick_retries + 1:
            log.warning(
                "printer %s: %d job(s) still pending after %d attempts (%s); retrying every %g s",
                self.url,
                pending,
                self._failures,
                error,
                self.retry_max,
            )
        else:
            level = logging.INFO if self._failures <= self.quick_retries else logging.DEBUG
            message = "job %s on %s failed (%s); retry in %g s"
            log.log(level, message, job.key, self.url, error, delay)

    def _forget_old(self) -> None:
        """Keep at most `history` settled jobs for key de-duplication and status pages."""
        while len(self._jobs) > self._history:
            key, oldest = next(iter(self._jobs.items()))
            if oldest.state is JobState.PENDING:
                break
            del self._jobs[key]


def _failure_state(exc: BaseException) -> PrinterState:
    """The printer state an error reveals."""
    if isinstance(exc, PrinterNotReadyError):
        return PrinterState(exc.state)
    return PrinterState.OFFLINE


class _Connection:
    """Opens the printer for one attempt and always closes it, whatever happens."""

    def __init__(self, spool: PrintSpool) -> None:
        self.spool = spool
        self.printer: Any = None

    def __enter__(self) -> Any:
        self.printer = open_printer(self.spool.url, self.spool.profile, self.spool.timeout)
        return self.printer

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.printer.close()
        except Exception:  # already closed or broken: nothing more to do
            log.debug("closing %s failed", self.spool.url, exc_info=True)


def _set_write_timeout(printer: Any, seconds: float) -> None:
    """Bound writes: a socket gets a longer timeout while a job is written than while waiting
    for answers; a serial port with flow control would otherwise block forever when off."""
    device = getattr(printer, "_device", None)
    if device is not None and hasattr(device, "settimeout"):
        device.settimeout(seconds)
    elif device is not None and hasattr(device, "write_timeout"):
        device.write_timeout = seconds
