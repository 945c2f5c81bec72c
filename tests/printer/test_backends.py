"""Printer URLs, profiles and `open_printer`, with status read from a fake network printer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from escpos.printer import Dummy, File

from printer import (
    PrinterConfigError,
    PrinterConnectionError,
    PrinterState,
    PrinterTimeoutError,
    open_printer,
    parse_printer_url,
    profile_width_dots,
)
from printer.backends import _constructor_arguments
from printer.status import read_state
from tests.printer.fakeprinter import FakePrinter
from tests.servers import free_port


@pytest.mark.parametrize(
    ("url", "scheme", "target", "answers"),
    [
        ("network://192.168.1.50:9100", "network", "192.168.1.50:9100", True),
        ("network://printer.local", "network", "printer.local", True),
        ("usb://04b8:0202", "usb", "04b8:0202", True),
        ("serial:///dev/ttyUSB0?baudrate=19200", "serial", "/dev/ttyUSB0", True),
        ("file:///dev/usb/lp0", "file", "/dev/usb/lp0", False),
        ("file:///dev/usb/lp0?status=on", "file", "/dev/usb/lp0", True),
        ("network://10.0.0.9:9100?status=off", "network", "10.0.0.9:9100", False),
        ("dummy://", "dummy", "", False),
    ],
)
def test_urls_parse(url: str, scheme: str, target: str, answers: bool) -> None:
    parsed = parse_printer_url(url)
    assert (parsed.scheme, parsed.target, parsed.answers_status) == (scheme, target, answers)


def test_urls_map_to_python_escpos_arguments() -> None:
    assert _constructor_arguments(parse_printer_url("network://10.0.0.9"), 1.5) == {
        "host": "10.0.0.9",
        "port": 9100,
        "timeout": 1.5,
    }
    usb = _constructor_arguments(parse_printer_url("usb://04b8:0e15?out_ep=0x02"), 1.5)
    assert (usb["idVendor"], usb["idProduct"], usb["out_ep"], usb["timeout"]) == (
        0x04B8,
        0x0E15,
        2,
        1500,
    )
    serial = _constructor_arguments(parse_printer_url("serial:///dev/ttyS0?baudrate=19200"), 1)
    assert (serial["devfile"], serial["baudrate"]) == ("/dev/ttyS0", 19200)


def test_open_printer_builds_the_python_escpos_class(tmp_path: Path) -> None:
    assert isinstance(open_printer("dummy://", profile="TM-T88V"), Dummy)
    assert open_printer("dummy://", profile="TM-T88V").profile.profile_data["name"] == "TM-T88V"
    device = f"{tmp_path}/lp0"
    printer = open_printer(f"file://{device}")
    assert isinstance(printer, File)
    printer.close()


def test_profile_sets_the_paper_width() -> None:
    assert profile_width_dots("TM-T88V") == 512
    assert profile_width_dots(None) is None
    with pytest.raises(PrinterConfigError):
        profile_width_dots("NO-SUCH-PRINTER")
    with pytest.raises(PrinterConfigError):
        open_printer("dummy://", profile="NO-SUCH-PRINTER")


def test_refused_connection_fails_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(PrinterConnectionError):
        open_printer(f"network://127.0.0.1:{free_port()}", timeout=1.0)
    assert time.perf_counter() - started < 0.5


def test_missing_device_file_is_a_connection_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterConnectionError):
        open_printer(f"file://{tmp_path}/no/such/dir/lp0")


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        ("online", PrinterState.ONLINE),
        ("paper_low", PrinterState.PAPER_LOW),
        ("paper_out", PrinterState.PAPER_OUT),
        ("cover_open", PrinterState.COVER_OPEN),
    ],
)
def test_status_queries_read_the_state(
    fake_printer: Callable[..., FakePrinter], mode: str, state: PrinterState
) -> None:
    fake = fake_printer(mode=mode)
    printer = open_printer(f"network://127.0.0.1:{fake.port}", timeout=1.0)
    try:
        assert read_state(printer) is state
    finally:
        printer.close()


def test_silent_printer_times_out_quickly(fake_printer: Callable[..., FakePrinter]) -> None:
    fake = fake_printer(mode="silent")
    printer = open_printer(f"network://127.0.0.1:{fake.port}", timeout=0.3)
    started = time.perf_counter()
    try:
        with pytest.raises(PrinterTimeoutError):
            read_state(printer)
    finally:
        printer.close()
    assert time.perf_counter() - started < 1.0
