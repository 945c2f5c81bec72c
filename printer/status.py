"""Printer state read with the real-time status queries DLE EOT 1, 2 and 4.

The printer answers these as soon as they arrive, even while busy or out of paper; an answer
after a job's bytes therefore also proves the printer received the whole job. Every answer byte
has bits 1 and 4 set and bits 0 and 7 clear: anything else comes from another kind of device.
"""

from __future__ import annotations

import enum
from typing import Any

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER

from .errors import NotAnEscposPrinterError, PrinterConnectionError, PrinterTimeoutError

RT_STATUS_OFFLINE_CAUSE = b"\x10\x04\x02"

# DLE EOT 1: bit 3 set = offline. DLE EOT 2: bit 2 cover open, bit 5 stopped at paper end.
# DLE EOT 4: bits 2-3 paper near its end, bits 5-6 paper out.
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_STOPPED_PAPER_END = 0x20
_PAPER_LOW = 0x0C
_PAPER_OUT = 0x60
# The fixed bits of every status answer: (answer & _FIXED_MASK) == _FIXED_BITS.
_FIXED_MASK = 0x93
_FIXED_BITS = 0x12


class PrinterState(enum.StrEnum):
    """What the printer last said about itself (`unknown` before it was ever asked)."""

    ONLINE = "online"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    NOT_ESCPOS = "not_escpos"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """Whether a job sent now would print."""
        return self in (PrinterState.ONLINE, PrinterState.PAPER_LOW)


def ask(printer: Any, query: bytes) -> int:
    """Send one status query and return the answer's status byte."""
    try:
        answer: bytes = printer.query_status(query)
    except TimeoutError as exc:
        raise PrinterTimeoutError("the printer did not answer a status query in time") from exc
    except Exception as exc:  # OSError, pyusb and pyserial errors, escpos' own
        if type(exc).__name__ == "USBTimeoutError":
            raise PrinterTimeoutError("the USB printer did not answer in time") from exc
        raise PrinterConnectionError(f"status query failed: {exc}") from exc
    if not answer:
        # Serial ports return nothing on timeout; a TCP peer returns nothing when it hangs up.
        raise PrinterTimeoutError("the printer did not answer a status query")
    if answer[0] & _FIXED_MASK != _FIXED_BITS:
        raise NotAnEscposPrinterError(not_a_printer_message(answer))
    return answer[0]


def not_a_printer_message(answer: bytes) -> str:
    """Say what answered instead of a printer, from the first bytes it sent."""
    if answer[:5].upper() == b"HTTP/":
        return (
            "the device answers HTTP, not ESC/POS: this is a web server (perhaps the printer's "
            "settings page), not the printer's raw port (usually 9100)"
        )
    return f"the device answered {answer[:16]!r}, which no ESC/POS printer sends: not a printer"


def read_state(printer: Any) -> PrinterState:
    """Ask the printer for its state: two queries (printer, paper), three when it is offline."""
    status = ask(printer, RT_STATUS_ONLINE)
    if status & _OFFLINE:
        cause = ask(printer, RT_STATUS_OFFLINE_CAUSE)
        if cause & _COVER_OPEN:
            return PrinterState.COVER_OPEN
        if cause & _STOPPED_PAPER_END:
            return PrinterState.PAPER_OUT
        return PrinterState.OFFLINE
    paper = ask(printer, RT_STATUS_PAPER)
    if paper & _PAPER_OUT == _PAPER_OUT:
        return PrinterState.PAPER_OUT
    if paper & _PAPER_LOW == _PAPER_LOW:
        return PrinterState.PAPER_LOW
    return PrinterState.ONLINE
