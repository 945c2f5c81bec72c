"""`print-test`'s core: send a slip to each printer at once and say, for each, whether it took it.

A printer took the slip only when the spool saw it printed (confirmed by a status answer where
the printer can give one) within the time allowed; anything else is reported with its reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import PrinterError
from .jobs import JobState
from .spool import PrintSpool
from .status import PrinterState


@dataclass(frozen=True)
class TestSlip:
    """One printer to test: a name for the report, its URL and profile, the bytes to print."""

    name: str
    url: str
    profile: str | None
    data: bytes


@dataclass(frozen=True)
class TestResult:
    """What became of one test slip."""

    name: str
    url: str
    printed: bool
    state: PrinterState
    error: str | None = None
    resent: bool = False  # printed on a second try after an unconfirmed first one

    def sentence(self) -> str:
        """One line for the terminal."""
        where = f"{self.name}: {self.url}" if self.name != self.url else self.url
        if self.printed:
            again = " (sent twice: the printer did not confirm the first)" if self.resent else ""
            return f"{where}: printed{again}"
        reason = f"{self.state}" + (f": {self.error}" if self.error else "")
        return f"{where}: NOT printed (printer {reason})"


def print_and_confirm(
    slips: Sequence[TestSlip], wait: float, **spool_options: Any
) -> list[TestResult]:
    """Print every slip at once, wait up to `wait` seconds in all, and report each printer.

    A slip still pending at the end is cancelled, so it cannot come out later by surprise."""
    results: dict[int, TestResult] = {}
    started: list[tuple[int, TestSlip, PrintSpool]] = []
    for index, slip in enumerate(slips):
        try:
            spool = PrintSpool(slip.url, slip.profile, **spool_options)
        except PrinterError as exc:
            results[index] = TestResult(slip.name, slip.url, False, PrinterState.UNKNOWN, str(exc))
            continue
        spool.submit(slip.data, key="print-test")
        started.append((index, slip, spool))
    deadline = time.monotonic() + wait
    try:
        for index, slip, spool in started:
            job = spool.job("print-test")
            assert job is not None
            state = job.wait(max(0.0, deadline - time.monotonic()))
            if state is not JobState.PRINTED:
                spool.cancel("print-test")
                state = job.state  # it may have printed while being cancelled
            status = spool.status()
            results[index] = TestResult(
                slip.name,
                slip.url,
                state is JobState.PRINTED,
                status.state,
                None if state is JobState.PRINTED else (status.last_error or job.last_error),
                resent=job.uncertain,
            )
    finally:
        for _, _, spool in started:
            spool.close(timeout=2.0)
    return [results[index] for index in sorted(results)]
