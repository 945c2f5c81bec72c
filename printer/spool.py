"""One print spool per printer: a worker thread owns the printer and works through a job queue.

`submit` never blocks. A job is sent whole, after the printer says it can print (see
`delivery`). A job that fails stays pending and is retried with exponential back-off, then
every `retry_max` seconds, until it prints, is cancelled, or is no longer wanted when its turn
comes. A job key is printed at most once, however often it is submitted; a re-send after an
uncertain delivery is the job's reprint. A `SpoolJournal` hears of every job's progress.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from .backends import parse_printer_url
from .delivery import Connection, deliver
from .errors import (
    NotAnEscposPrinterError,
    PrinterError,
    PrinterNotReadyError,
    UncertainDeliveryError,
)
from .jobs import JobState, PrintJob, SpoolJournal, SpoolStatus
from .status import PrinterState, read_state

log = logging.getLogger(__name__)


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
        journal: SpoolJournal | None = None,
    ) -> None:
        self.url = url
        self.profile = profile
        self.timeout = timeout
        self.write_timeout = max(write_timeout, timeout)
        self.retry_initial = retry_initial
        self.retry_max = max(retry_max, retry_initial)
        self.quick_retries = quick_retries
        self.poll_interval = poll_interval
        self.journal = journal
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

    def submit(
        self,
        data: bytes,
        key: str | None = None,
        *,
        remake: Callable[[], bytes] | None = None,
        wanted: Callable[[], bool] | None = None,
        uncertain: bool = False,
    ) -> PrintJob:
        """Queue `data`; a key already pending or printed returns the existing job instead.

        `remake`: the bytes of a reprint, for a re-send after an uncertain delivery; `wanted`:
        asked before each attempt, False drops the job; `uncertain`: a job taken over from an
        earlier run that may already have printed (`data` should then be its reprint).
        """
        key = key or uuid.uuid4().hex
        with self._lock:
            if self._stopping:
                raise PrinterError(f"the print spool of {self.url} is closed")
            known = self._jobs.get(key)
            if known is not None and known.state in (JobState.PENDING, JobState.PRINTED):
                return known
            job = PrintJob(key, data, remake=remake, wanted=wanted, uncertain=uncertain)
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
        self._tell_journal("settled", job)
        job._release()
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
            if self._stopping:
                return  # closed before (an app's finaliser may close it again at exit)
            self._stopping = True
            self._lock.notify_all()
        self._thread.join(timeout)
        if self._queue:
            kept = " (kept for the next start)" if self.journal is not None else ""
            log.warning(
                "printer %s closed with %d job(s) unprinted%s", self.url, len(self._queue), kept
            )

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
            with self._connection() as printer:
                self._note_state(read_state(printer))
        except PrinterError as exc:
            self._note_state(_failure_state(exc), str(exc))
        finally:
            self._last_contact = time.monotonic()

    def _attempt(self, job: PrintJob) -> None:
        """Try to print `job` once (or drop it, unwanted); on failure schedule the next try."""
        if not self._still_wanted(job):
            self._finish(job, JobState.DROPPED)
            log.info("print job %s on %s dropped: no longer wanted", job.key, self.url)
            return
        job.attempts += 1
        try:
            deliver(
                self._connection(),
                job.data,
                asks_status=self._asks_status,
                write_timeout=self.write_timeout,
                on_state=self._note_state,
                on_sending=lambda: self._sending(job),
            )
        except Exception as exc:  # anything: a worker that dies would freeze the queue
            if not isinstance(exc, PrinterError):
                log.exception("unexpected error printing on %s", self.url)
            if isinstance(exc, UncertainDeliveryError):
                self._reprint_next(job)
            self._note_failure(exc, job)
            return
        finally:
            self._last_contact = time.monotonic()
        with self._lock:
            self._failures = 0
            self._next_attempt = 0.0
            self._last_printed_at = datetime.now(UTC)
        self._finish(job, JobState.PRINTED)
        log.info("printed job %s on %s (attempt %d)", job.key, self.url, job.attempts)

    def _still_wanted(self, job: PrintJob) -> bool:
        """Ask the job's `wanted`; when the question itself fails, print rather than lose it."""
        if job.wanted is None:
            return True
        try:
            return bool(job.wanted())
        except Exception:
            log.exception("cannot tell whether job %s is still wanted; printing it", job.key)
            return True

    def _sending(self, job: PrintJob) -> None:
        """The job's first bytes are about to go out: tell the journal, once."""
        if not job.sent:
            job.sent = True
            self._tell_journal("sending", job)

    def _reprint_next(self, job: PrintJob) -> None:
        """The printer may have printed `job`: send its reprint from now on."""
        try:
            job.mark_uncertain()
        except Exception:  # the reprint cannot be drawn: the same bytes again, unmarked
            log.exception("cannot prepare the reprint of job %s", job.key)
        log.warning(
            "printer %s took job %s but did not confirm it; it will be re-sent as a reprint",
            self.url,
            job.key,
        )

    def _finish(self, job: PrintJob, state: JobState) -> None:
        """Take the head job off the queue, settled as `state`, and tell the journal."""
        with self._lock:
            self._queue.popleft()
            self._current = None
            job._settle(state)
        self._tell_journal("settled", job)
        job._release()

    def _tell_journal(self, event: Literal["sending", "settled"], job: PrintJob) -> None:
        """Report to the journal; its failure is logged, never the spool's."""
        if self.journal is None:
            return
        try:
            getattr(self.journal, event)(job)
        except Exception:
            log.exception("the print journal failed to record job %s (%s)", job.key, event)

    def _connection(self) -> Connection:
        """A connection to this spool's printer for one attempt or check."""
        return Connection(self.url, self.profile, self.timeout)

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
    if isinstance(exc, NotAnEscposPrinterError):
        return PrinterState.NOT_ESCPOS
    return PrinterState.OFFLINE
