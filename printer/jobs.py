"""Print jobs, and the journal through which a spool reports them to whoever keeps them.

A job is settled once: printed, failed (given up) or dropped (no longer wanted, e.g. its ticket
was called before the printer came back). A job whose every byte went out without the printer
confirming it is *uncertain*: it may have printed, so a re-send uses `remake()`, the same slip
marked as a reprint.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from .status import PrinterState


class JobState(enum.StrEnum):
    """Where a job stands: waiting (or retrying), printed, given up, or no longer wanted."""

    PENDING = "pending"
    PRINTED = "printed"
    FAILED = "failed"
    DROPPED = "dropped"


class PrintJob:
    """One submitted job; its fields change on the spool's worker thread, `wait` blocks on them.

    `wanted()` is asked before each attempt (False: the job is dropped unprinted); `remake()`
    gives the bytes for a re-send after an uncertain delivery. `sent` says some bytes may have
    reached the printer; `uncertain` that all of them did, unconfirmed.
    """

    def __init__(
        self,
        key: str,
        data: bytes,
        *,
        remake: Callable[[], bytes] | None = None,
        wanted: Callable[[], bool] | None = None,
        uncertain: bool = False,
    ) -> None:
        self.key = key
        self.data = data
        self.remake = remake
        self.wanted = wanted
        self.state = JobState.PENDING
        self.attempts = 0
        self.sent = uncertain
        self.uncertain = uncertain
        self.last_error: str | None = None
        self.submitted_at = datetime.now(UTC)
        self.printed_at: datetime | None = None
        self._settled = threading.Event()

    def wait(self, timeout: float | None = None) -> JobState:
        """Wait up to `timeout` seconds for the job to settle; return its state."""
        self._settled.wait(timeout)
        return self.state

    def mark_uncertain(self) -> None:
        """Every byte went out unconfirmed: from now on the job is sent as a reprint."""
        self.uncertain = True
        if self.remake is not None:
            self.data, self.remake = self.remake(), None

    def _settle(self, state: JobState, error: str | None = None) -> None:
        """End the job as `state` (the spool then tells its journal, then `_release`s it)."""
        self.state = state
        self.data = b""  # settled jobs are remembered for their key, not their bytes
        self.remake = self.wanted = None
        if error is not None:
            self.last_error = error
        if state is JobState.PRINTED:
            self.printed_at = datetime.now(UTC)

    def _release(self) -> None:
        """Wake the waiters (after the journal recorded the outcome, so they can read it)."""
        self._settled.set()

    def __repr__(self) -> str:
        return f"<PrintJob {self.key} {self.state} attempts={self.attempts}>"


class SpoolJournal(Protocol):
    """Told by the spool's worker about each job, so a restart can pick up where it stopped.

    Called on the worker thread; an exception is logged and the spool carries on.
    """

    def sending(self, job: PrintJob) -> None:
        """The job's bytes start to go out (a restart must then treat it as uncertain)."""

    def settled(self, job: PrintJob) -> None:
        """The job is printed, failed or dropped."""


@dataclass(frozen=True)
class SpoolStatus:
    """A snapshot of a spool for status pages."""

    url: str
    state: PrinterState
    last_error: str | None
    pending: int
    last_printed_at: datetime | None
    checked_at: datetime | None
