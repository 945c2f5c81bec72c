"""The spool against a fake network printer: printed once, never lost, never blocking the caller."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from printer import (
    BackendUnavailableError,
    JobState,
    PrinterConfigError,
    PrinterState,
    PrintSpool,
    render_ticket_image,
    ticket_bytes,
)
from tests.printer.escpos_reader import decode_ticket, same_pixels
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import SERVICES, make_content
from tests.servers import free_port

FakeFactory = Callable[..., FakePrinter]
SpoolFactory = Callable[..., PrintSpool]


def url(port: int) -> str:
    return f"network://127.0.0.1:{port}"


def submit_quickly(spool: PrintSpool, data: bytes, key: str) -> float:
    """Submit and return how long the call took."""
    started = time.perf_counter()
    spool.submit(data, key=key)
    return time.perf_counter() - started


def test_ticket_prints_over_the_network_dot_for_dot(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    fake = fake_printer()
    spool = make_spool(url(fake.port))
    for service in SERVICES:
        content = make_content(service_name=service)
        job = spool.submit(ticket_bytes(content), key=service)
        assert job.wait(5) is JobState.PRINTED
        decoded = decode_ticket(fake.tickets[-1], 576)
        assert same_pixels(decoded.image(), render_ticket_image(content))
    assert len(fake.tickets) == 3
    assert spool.state is PrinterState.ONLINE
    assert fake.status_queries >= 6  # asked before and after each job


def test_58mm_ticket_through_the_spool(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    fake = fake_printer()
    spool = make_spool(url(fake.port))
    content = make_content(service_name=SERVICES[2])
    assert spool.submit(ticket_bytes(content, width_dots=384)).wait(5) is JobState.PRINTED
    decoded = decode_ticket(fake.tickets[0], 384)
    assert same_pixels(decoded.image(), render_ticket_image(content, 384))
    assert max(band.x + band.width_dots for band in decoded.bands) <= 384


def test_refused_then_back_prints_once(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    port = free_port()  # nothing listens: connections are refused
    spool = make_spool(url(port))
    assert submit_quickly(spool, ticket_bytes(make_content()), "t1") < 0.05
    job = spool.job("t1")
    assert job is not None
    assert job.wait(0.5) is JobState.PENDING
    assert spool.state is PrinterState.OFFLINE
    assert job.attempts >= 2 and job.last_error
    fake = fake_printer(port=port)
    assert job.wait(5) is JobState.PRINTED
    time.sleep(0.5)  # room for a duplicate to show up
    assert len(fake.tickets) == 1


def test_printer_dying_mid_job_prints_once_when_back(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    fake = fake_printer(drop_after=3000, drops=2)
    spool = make_spool(url(fake.port))
    job = spool.submit(ticket_bytes(make_content()), key="t1")
    assert job.wait(5) is JobState.PRINTED
    assert job.attempts == 3  # two connections cut mid-job, then the whole job again
    time.sleep(0.5)
    assert len(fake.tickets) == 1
    assert same_pixels(
        decode_ticket(fake.tickets[0], 576).image(), render_ticket_image(make_content())
    )


def test_silent_printer_never_blocks_and_prints_once_replaced(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    silent = fake_printer(mode="silent")
    port = silent.port
    spool = make_spool(url(port))
    assert submit_quickly(spool, ticket_bytes(make_content()), "t1") < 0.05
    job = spool.job("t1")
    assert job is not None
    assert job.wait(1.0) is JobState.PENDING
    assert spool.state is PrinterState.OFFLINE
    assert "answer" in (job.last_error or "")
    silent.stop()
    fake = fake_printer(port=port)
    assert job.wait(5) is JobState.PRINTED
    time.sleep(0.5)
    assert len(fake.tickets) == 1
    assert silent.tickets == []


@pytest.mark.parametrize(
    ("mode", "state"),
    [("paper_out", PrinterState.PAPER_OUT), ("cover_open", PrinterState.COVER_OPEN)],
)
def test_printer_that_cannot_print_keeps_the_job(
    fake_printer: FakeFactory, make_spool: SpoolFactory, mode: str, state: PrinterState
) -> None:
    fake = fake_printer(mode=mode)
    spool = make_spool(url(fake.port))
    job = spool.submit(ticket_bytes(make_content()), key="t1")
    assert job.wait(0.5) is JobState.PENDING
    assert spool.state is state
    assert spool.status().pending == 1
    assert fake.tickets == []  # nothing was sent while it could not print
    fake.mode = "online"
    assert job.wait(5) is JobState.PRINTED
    assert spool.state is PrinterState.ONLINE
    assert len(fake.tickets) == 1


def test_paper_low_still_prints(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    fake = fake_printer(mode="paper_low")
    spool = make_spool(url(fake.port))
    assert spool.submit(ticket_bytes(make_content())).wait(5) is JobState.PRINTED
    assert spool.state is PrinterState.PAPER_LOW


def test_same_key_prints_once(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    port = free_port()
    spool = make_spool(url(port))
    data = ticket_bytes(make_content())
    first = spool.submit(data, key="ticket-42")
    assert spool.submit(data, key="ticket-42") is first  # while pending
    fake = fake_printer(port=port)
    assert first.wait(5) is JobState.PRINTED
    assert spool.submit(data, key="ticket-42") is first  # after printing
    time.sleep(0.5)
    assert len(fake.tickets) == 1


def test_jobs_print_in_order(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    port = free_port()
    spool = make_spool(url(port))
    numbers = ["A001", "A002", "A003", "A004"]
    jobs = [spool.submit(ticket_bytes(make_content(number=n)), key=n) for n in numbers]
    fake = fake_printer(port=port)
    assert [job.wait(5) for job in jobs] == [JobState.PRINTED] * 4
    expected = [ticket_bytes(make_content(number=n)) for n in numbers]
    assert fake.tickets == expected


def test_cancelled_job_never_prints(fake_printer: FakeFactory, make_spool: SpoolFactory) -> None:
    port = free_port()
    spool = make_spool(url(port))
    kept = spool.submit(ticket_bytes(make_content(number="A001")), key="kept")
    dropped = spool.submit(ticket_bytes(make_content(number="A002")), key="dropped")
    assert spool.cancel("dropped")
    assert dropped.wait(0) is JobState.FAILED and dropped.last_error == "cancelled"
    fake = fake_printer(port=port)
    assert kept.wait(5) is JobState.PRINTED
    time.sleep(0.3)
    assert fake.tickets == [ticket_bytes(make_content(number="A001"))]
    assert not spool.cancel("kept")


def test_retries_back_off_up_to_the_cap(make_spool: SpoolFactory) -> None:
    spool = make_spool(url(free_port()), retry_initial=0.05, retry_max=0.2, quick_retries=3)
    job = spool.submit(b"\x1b@x\x1dV\x00")
    time.sleep(1.2)
    # 0.05 + 0.1 + 0.2 + then every 0.2 s: about 6 attempts in 1.2 s, far from a busy loop.
    assert 4 <= job.attempts <= 9
    assert job.state is JobState.PENDING


def test_idle_polling_reports_paper_out(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    fake = fake_printer(mode="paper_out")
    spool = make_spool(url(fake.port), poll_interval=0.1)
    deadline = time.monotonic() + 3
    while spool.state is not PrinterState.PAPER_OUT and time.monotonic() < deadline:
        time.sleep(0.02)
    assert spool.state is PrinterState.PAPER_OUT
    fake.mode = "online"
    deadline = time.monotonic() + 3
    while spool.state is not PrinterState.ONLINE and time.monotonic() < deadline:
        time.sleep(0.02)
    assert spool.status().state is PrinterState.ONLINE
    assert spool.status().last_error is None


def test_close_returns_while_the_printer_is_silent(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    silent = fake_printer(mode="silent")
    spool = make_spool(url(silent.port), timeout=1.0)
    spool.submit(b"\x1b@x\x1dV\x00")
    time.sleep(0.1)
    started = time.perf_counter()
    spool.close()
    assert time.perf_counter() - started < 2.5


def test_file_backend_writes_the_bytes(tmp_path: Path, make_spool: SpoolFactory) -> None:
    device = tmp_path / "lp0"
    spool = make_spool(f"file://{device}")
    data = ticket_bytes(make_content())
    assert spool.submit(data).wait(5) is JobState.PRINTED
    assert device.read_bytes() == data
    assert spool.state is PrinterState.ONLINE


def test_dummy_backend_prints(make_spool: SpoolFactory) -> None:
    assert make_spool("dummy://").submit(b"\x1b@").wait(5) is JobState.PRINTED


@pytest.mark.parametrize(
    "bad", ["lpt://1", "network://", "usb://xyz", "serial://", "ftp://printer", "printer"]
)
def test_bad_urls_are_config_errors(bad: str) -> None:
    with pytest.raises(PrinterConfigError):
        PrintSpool(bad)


@pytest.mark.skipif(sys.platform == "win32", reason="win32:// works on Windows")
def test_windows_backend_is_unavailable_elsewhere() -> None:
    with pytest.raises(BackendUnavailableError, match="Windows"):
        PrintSpool("win32://EPSON TM-T20II Receipt")


def test_cups_backend_needs_pycups() -> None:
    pytest.importorskip("escpos.printer.cups")
    from escpos.printer.cups import is_usable

    if is_usable():
        pytest.skip("pycups is installed here")
    with pytest.raises(BackendUnavailableError, match="pycups"):
        PrintSpool("cups://TM-T88V")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_serial_printer_over_a_pseudo_terminal(make_spool: SpoolFactory) -> None:
    import os
    import threading
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    received = bytearray()

    def printer() -> None:  # the far end of the serial line: answers every DLE EOT "online"
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            received.extend(data)
            os.write(master, b"\x12" * data.count(b"\x10\x04"))

    threading.Thread(target=printer, daemon=True).start()
    try:
        spool = make_spool(f"serial://{os.ttyname(slave)}?baudrate=115200&dsrdtr=0")
        data = ticket_bytes(make_content(), mode="text")
        started = time.perf_counter()
        assert spool.submit(data).wait(5) is JobState.PRINTED
        assert time.perf_counter() - started < 0.5  # one-byte answers: no read timeout waited
        assert data in received
        assert spool.state is PrinterState.ONLINE
        spool.close()
    finally:
        os.close(slave)
        os.close(master)
