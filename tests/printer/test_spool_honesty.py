"""The spool tells the truth: reprints marked, unwanted jobs dropped, a web server named as such."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from printer import (
    JobState,
    PrinterState,
    PrintJob,
    PrintSpool,
    render_ticket_image,
    ticket_bytes,
)
from tests.printer.escpos_reader import decode_ticket, same_pixels
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import make_content
from tests.servers import free_port

FakeFactory = Callable[..., FakePrinter]
SpoolFactory = Callable[..., PrintSpool]


def url(port: int) -> str:
    return f"network://127.0.0.1:{port}"


class RecordingJournal:
    """A journal that remembers what the spool told it, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, JobState]] = []
        self.changed = threading.Condition()

    def sending(self, job: PrintJob) -> None:
        with self.changed:
            self.events.append(("sending", job.key, job.state))
            self.changed.notify_all()

    def settled(self, job: PrintJob) -> None:
        with self.changed:
            self.events.append(("settled", job.key, job.state))
            self.changed.notify_all()


def test_uncertain_delivery_is_sent_again_as_a_reprint(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    # The printer takes the whole ticket, then hangs up instead of confirming it.
    fake = fake_printer(hang_ups=1)
    journal = RecordingJournal()
    spool = make_spool(url(fake.port), journal=journal)
    content = make_content()
    reprint = make_content(reprint=True)
    job = spool.submit(ticket_bytes(content), key="t1", remake=lambda: ticket_bytes(reprint))
    assert job.wait(5) is JobState.PRINTED
    assert job.uncertain and job.attempts == 2
    tickets = fake.wait_for_tickets(2)
    assert len(tickets) == 2
    assert same_pixels(decode_ticket(tickets[0], 576).image(), render_ticket_image(content))
    second = decode_ticket(tickets[1], 576).image()
    assert same_pixels(second, render_ticket_image(reprint))
    assert not same_pixels(second, render_ticket_image(content))
    # The journal heard of the first bytes once, and of the end once.
    assert journal.events == [
        ("sending", "t1", JobState.PENDING),
        ("settled", "t1", JobState.PRINTED),
    ]


def test_a_job_no_longer_wanted_is_dropped_unprinted(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    port = free_port()
    journal = RecordingJournal()
    spool = make_spool(url(port), journal=journal)
    served = threading.Event()
    first = spool.submit(
        ticket_bytes(make_content(number="A001")), key="A001", wanted=lambda: not served.is_set()
    )
    second = spool.submit(
        ticket_bytes(make_content(number="A002")), key="A002", wanted=lambda: True
    )
    assert first.wait(0.3) is JobState.PENDING  # the printer is down
    served.set()  # A001 is called at a counter while the printer is still down
    fake = fake_printer(port=port)
    assert second.wait(5) is JobState.PRINTED
    assert first.state is JobState.DROPPED
    assert fake.tickets == [ticket_bytes(make_content(number="A002"))]
    assert ("settled", "A001", JobState.DROPPED) in journal.events
    assert ("sending", "A001", JobState.PENDING) not in journal.events


def test_a_failing_wanted_check_prints_rather_than_loses(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    fake = fake_printer()

    def broken() -> bool:
        raise RuntimeError("database unavailable")

    spool = make_spool(url(fake.port))
    assert spool.submit(b"\x1b@x\x1dV\x00", wanted=broken).wait(5) is JobState.PRINTED


def test_a_web_server_on_the_printer_port_is_named_not_paper_out(
    fake_printer: FakeFactory, make_spool: SpoolFactory
) -> None:
    web = fake_printer(mode="http")
    spool = make_spool(url(web.port))
    job = spool.submit(ticket_bytes(make_content()), key="t1")
    assert job.wait(0.5) is JobState.PENDING
    assert spool.state is PrinterState.NOT_ESCPOS
    status = spool.status()
    assert "HTTP" in (status.last_error or "") and "9100" in (status.last_error or "")
    assert web.tickets == []


def test_idle_checks_log_nothing_from_python_escpos(
    fake_printer: FakeFactory, make_spool: SpoolFactory, caplog: pytest.LogCaptureFixture
) -> None:
    fake = fake_printer()
    caplog.set_level(logging.DEBUG)
    spool = make_spool(url(fake.port), poll_interval=0.05)
    assert spool.submit(b"\x1b@x\x1dV\x00").wait(5) is JobState.PRINTED
    assert fake.wait_for_connections(4) >= 4  # a few idle status checks after the job
    chatter = [r for r in caplog.records if "escpos" in r.pathname]
    assert chatter == []
    assert not [r for r in caplog.records if "Closing" in r.getMessage()]
