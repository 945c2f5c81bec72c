"""Printer URLs mapped to python-escpos printer classes.

    network://HOST[:9100]              Network (raw TCP, "JetDirect")
    usb://VID:PID[?in_ep=0x82&out_ep=0x01]   Usb (hex ids; needs pyusb and libusb)
    serial:///dev/ttyUSB0[?baudrate=19200]   Serial (needs pyserial)
    file:///dev/usb/lp0                File (a device file, e.g. the usblp driver)
    cups://QUEUE[?host=…&port=631]     CupsPrinter (needs pycups; the job goes at close)
    win32://PRINTER NAME               Win32Raw (Windows only, needs pywin32)
    dummy://                           Dummy (keeps the bytes; for tests and previews)

Any URL may add `status=on|off`: whether the spool asks the printer for its state (DLE EOT).
The default is on for network, usb and serial, which can answer, and off for the others.

A URL typed in administration must name a printer device (`parse_device_url`): python-escpos
opens a file:// path for writing, so any path there would let a supervisor overwrite any file.
"""

from __future__ import annotations

import logging
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from escpos import printer as escpos_printer
from escpos.capabilities import get_profile
from escpos.exceptions import DeviceNotFoundError

from .errors import (
    BackendUnavailableError,
    NotAPrinterDeviceError,
    PrinterConfigError,
    PrinterConnectionError,
)

# python-escpos logs every open and close ("Closing Network connection to printer …") and every
# failed connect on the root logger; the spool opens a connection for each job and each status
# check, and reports failures itself, so these lines only bury the office's log.
_ESCPOS_PRINTERS = str(Path(escpos_printer.__file__).parent)


class _EscposChatter(logging.Filter):
    """Drops python-escpos' own open/close and not-found lines (logged on the root logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record that does not come from python-escpos' printer classes."""
        return not record.pathname.startswith(_ESCPOS_PRINTERS)


_QUIET = _EscposChatter()


def quiet_escpos_logging() -> None:
    """Install the filter on the root logger (once; idempotent)."""
    root = logging.getLogger()
    if _QUIET not in root.filters:
        root.addFilter(_QUIET)


class _Network(escpos_printer.Network):  # type: ignore[misc]
    """python-escpos' Network printer, minus a leak: 3.1 drops the socket of a failed connect."""

    def open(self, raise_not_found: bool = True) -> None:
        """Connect with `socket.create_connection`, which closes the socket when it fails."""
        if self._device:
            self.close()
        connection: socket.socket | None = None
        self.device: socket.socket | None
        try:
            connection = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            raise DeviceNotFoundError(f"Could not open socket for {self.host}: {exc}") from exc
        finally:
            self.device = connection


class _Serial(escpos_printer.Serial):  # type: ignore[misc]
    """python-escpos' Serial printer reading status answers (one byte) without waiting for 16."""

    def _read(self) -> bytes:
        """One byte, or nothing after the port's timeout."""
        answer: bytes = self.device.read(1)
        return answer


SCHEMES = ("network", "usb", "serial", "file", "cups", "win32", "dummy")
_ANSWERING = {"network", "usb", "serial"}
_CLASSES = {
    "network": _Network,
    "usb": escpos_printer.Usb,
    "serial": _Serial,
    "file": escpos_printer.File,
    "cups": escpos_printer.CupsPrinter,
    "win32": escpos_printer.Win32Raw,
    "dummy": escpos_printer.Dummy,
}


@dataclass(frozen=True)
class PrinterUrl:
    """A parsed printer URL: scheme, target (host, ids, path or queue) and options."""

    scheme: str
    target: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def answers_status(self) -> bool:
        """Whether the spool should ask this printer for its state."""
        flag = self.options.get("status", "on" if self.scheme in _ANSWERING else "off")
        return flag.lower() in {"on", "1", "true", "yes"}


def parse_printer_url(url: str) -> PrinterUrl:
    """Split and check a printer URL; raises `PrinterConfigError` or `BackendUnavailableError`."""
    scheme, sep, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise PrinterConfigError(
            f"unsupported printer URL {url!r}; use one of: {', '.join(s + '://' for s in SCHEMES)}"
        )
    target, _, query = rest.partition("?")
    parsed = PrinterUrl(scheme, unquote(target), dict(parse_qsl(query)))
    if not _CLASSES[scheme].is_usable():
        raise BackendUnavailableError(
            f"{scheme}:// printers cannot be used here: {_why_unusable(scheme)}"
        )
    _constructor_arguments(parsed, 1.0)  # validates the target and options
    return parsed


# What administration may name: printers, never the dummy or an arbitrary file. Device files are
# the kernel's printer and serial-port names (usblp, parport, USB and on-board UARTs, Bluetooth,
# udev's stable serial names), never a disk, memory or a watchdog that also lives in /dev/.
DEVICE_SCHEMES = ("network", "usb", "serial", "file", "cups", "win32")
DEVICE_FILE = re.compile(
    r"/dev/(?:usb/lp\d+|lp\d+|usblp\d+|rfcomm\d+|tty[A-Za-z][A-Za-z0-9]*\d"
    r"|serial/by-(?:id|path)/[A-Za-z0-9][A-Za-z0-9_.:+-]*)"
)
WINDOWS_PORT = re.compile(r"COM\d{1,3}", re.IGNORECASE)


def parse_device_url(url: str) -> PrinterUrl:
    """`parse_printer_url` for a URL that must name a printer device (typed in administration):
    network, usb, cups, win32, or a printer or serial device file such as /dev/usb/lp0.

    Raises `NotAPrinterDeviceError` for anything else, before the backend is even looked at.
    """
    scheme, sep, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in DEVICE_SCHEMES:
        raise NotAPrinterDeviceError(f"{url!r} is not a printer device URL")
    path = unquote(rest.partition("?")[0])
    if scheme == "file" and not DEVICE_FILE.fullmatch(path):
        raise NotAPrinterDeviceError(f"{path!r} is not a printer device file")
    if scheme == "serial" and not (DEVICE_FILE.fullmatch(path) or WINDOWS_PORT.fullmatch(path)):
        raise NotAPrinterDeviceError(f"{path!r} is not a serial port")
    return parse_printer_url(url)


def _why_unusable(scheme: str) -> str:
    """The missing piece, in words."""
    return {
        "usb": "install pyusb and libusb",
        "serial": "install pyserial",
        "cups": "install pycups (and run CUPS)",
        "win32": "Windows with pywin32 is required",
    }.get(scheme, "a dependency is missing")


def _constructor_arguments(url: PrinterUrl, timeout: float) -> dict[str, Any]:
    """Keyword arguments for the python-escpos class of `url`."""
    options = url.options
    try:
        if url.scheme == "network":
            host, _, port = url.target.rpartition(":")
            if not _:
                host, port = url.target, ""
            if not host:
                raise ValueError("network:// needs a host, e.g. network://192.168.1.50:9100")
            return {"host": host.strip("[]"), "port": int(port or 9100), "timeout": timeout}
        if url.scheme == "usb":
            vendor, _, product = url.target.partition(":")
            return {
                "idVendor": int(vendor, 16),
                "idProduct": int(product, 16),
                "timeout": int(timeout * 1000),  # pyusb counts milliseconds
                "in_ep": int(options.get("in_ep", "0x82"), 0),
                "out_ep": int(options.get("out_ep", "0x01"), 0),
            }
        if url.scheme == "serial":
            if not url.target:
                raise ValueError("serial:// needs a device, e.g. serial:///dev/ttyUSB0")
            return {
                "devfile": url.target,
                "baudrate": int(options.get("baudrate", "9600")),
                "timeout": timeout,
                "dsrdtr": options.get("dsrdtr", "1") not in {"0", "off", "false"},
                "xonxoff": options.get("xonxoff", "0") in {"1", "on", "true"},
            }
        if url.scheme == "file":
            if not url.target:
                raise ValueError("file:// needs a path, e.g. file:///dev/usb/lp0")
            return {"devfile": url.target}
        if url.scheme == "cups":
            arguments: dict[str, Any] = {"printer_name": url.target}
            if "host" in options:
                arguments["host"] = options["host"]
                arguments["port"] = int(options.get("port", "631"))
            return arguments
        if url.scheme == "win32":
            return {"printer_name": url.target}
        return {}
    except ValueError as exc:
        raise PrinterConfigError(f"bad printer URL {url.scheme}://{url.target}: {exc}") from exc


def check_profile(profile: str | None) -> Any:
    """The python-escpos profile object for `profile` (None: the generic one)."""
    try:
        return get_profile(profile)
    except KeyError:
        raise PrinterConfigError(f"unknown printer profile {profile!r} (e.g. 'TM-T88V')") from None


def profile_width_dots(profile: str | None) -> int | None:
    """The paper width in dots a printer profile declares, if it declares one."""
    media = check_profile(profile).profile_data.get("media", {})
    pixels = media.get("width", {}).get("pixels")
    return int(pixels) if isinstance(pixels, int | str) and str(pixels).isdigit() else None


def profile_prints_qr(profile: str | None) -> bool:
    """Whether the profile says the printer draws QR codes itself (GS ( k)."""
    return bool(check_profile(profile).supports("qrCode"))


def open_printer(url: str, profile: str | None = None, timeout: float = 2.0) -> Any:
    """A connected python-escpos printer for `url`; connect and read timeouts are `timeout` s.

    Raises `PrinterConfigError` for a bad URL or profile, `BackendUnavailableError` when the
    backend cannot run here, `PrinterConnectionError` when the printer cannot be reached.
    """
    parsed = parse_printer_url(url)
    check_profile(profile)
    quiet_escpos_logging()
    printer = _CLASSES[parsed.scheme](profile=profile, **_constructor_arguments(parsed, timeout))
    try:
        printer.open()
    except Exception as exc:  # escpos wraps most errors in DeviceNotFoundError, not all
        raise PrinterConnectionError(f"cannot open {url}: {exc}".strip()) from exc
    return printer
