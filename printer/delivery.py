"""One attempt at a printer: connect, ask whether it can print, send the job, confirm, close.

A job counts as delivered once the printer answers a status query sent after it (proof it
received every byte) or, for printers that cannot answer, once the write and close succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .backends import open_printer
from .errors import PrinterConnectionError, PrinterNotReadyError, UncertainDeliveryError
from .status import PrinterState, read_state

log = logging.getLogger(__name__)


class Connection:
    """Opens the printer for one attempt and always closes it, whatever happens."""

    def __init__(self, url: str, profile: str | None, timeout: float) -> None:
        self.url = url
        self.profile = profile
        self.timeout = timeout
        self.printer: Any = None

    def __enter__(self) -> Any:
        self.printer = open_printer(self.url, self.profile, self.timeout)
        return self.printer

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.printer.close()
        except Exception:  # already closed or broken: nothing more to do
            log.debug("closing %s failed", self.url, exc_info=True)


def deliver(
    connection: Connection,
    data: bytes,
    *,
    asks_status: bool,
    write_timeout: float,
    on_state: Callable[[PrinterState], None],
    on_sending: Callable[[], None],
) -> None:
    """Send `data` whole over `connection`; raise a `PrinterError` unless it surely arrived.

    `on_state` hears each state the printer reports; `on_sending` runs just before the first
    byte goes out. A failure after the last byte went out raises `UncertainDeliveryError`.
    """
    with connection as printer:
        if asks_status:
            state = read_state(printer)
            on_state(state)
            if not state.can_print:
                raise PrinterNotReadyError(f"the printer reports {state}", state)
        on_sending()
        _set_write_timeout(printer, write_timeout)
        try:
            printer._raw(data)
        except Exception as exc:
            raise PrinterConnectionError(f"sending failed: {exc}") from exc
        try:
            _set_write_timeout(printer, connection.timeout)
            if asks_status:
                on_state(read_state(printer))  # the answer proves delivery
            printer.close()  # CUPS and Windows send the job here, so errors count
        except Exception as exc:
            raise UncertainDeliveryError(f"the job went out but was not confirmed: {exc}") from exc
    if not asks_status:
        on_state(PrinterState.ONLINE)


def _set_write_timeout(printer: Any, seconds: float) -> None:
    """Bound writes: a socket gets a longer timeout while a job is written than while waiting
    for answers; a serial port with flow control would otherwise block forever when off."""
    device = getattr(printer, "_device", None)
    if device is not None and hasattr(device, "settimeout"):
        device.settimeout(seconds)
    elif device is not None and hasattr(device, "write_timeout"):
        device.write_timeout = seconds
