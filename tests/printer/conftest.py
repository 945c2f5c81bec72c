"""Fixtures for the printer tests: fake network printers and spools that are always closed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from printer import PrintSpool
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import FAST


@pytest.fixture
def fake_printer() -> Iterator[Callable[..., FakePrinter]]:
    """Start fake printers: fake_printer(port=0, mode="online", drop_after=None)."""
    started: list[FakePrinter] = []

    def start(**options: Any) -> FakePrinter:
        fake = FakePrinter(**options).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def make_spool() -> Iterator[Callable[..., PrintSpool]]:
    """Spools with test timings (override any keyword); closed at the end of the test."""
    spools: list[PrintSpool] = []

    def make(url: str, **options: Any) -> PrintSpool:
        spool = PrintSpool(url, **{**FAST, **options})
        spools.append(spool)
        return spool

    yield make
    for spool in spools:
        spool.close()
