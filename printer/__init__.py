"""Lượt ticket printing: Vietnamese tickets for ESC/POS thermal printers, never lost or blocking.

    content = TicketContent(...)
    data = ticket_bytes(content, width_dots=576)          # ESC @ … GS v 0 … cut
    spool = PrintSpool("network://192.168.1.50:9100", profile="TM-T88V")
    job = spool.submit(data, key=f"ticket-{ticket_id}")   # returns at once
    job.wait(0.8)                                          # "printed", "pending" or "failed"

This package never imports Flask; the server's `display_server.printing` adapts it.
"""

from __future__ import annotations

from .backends import (
    PrinterUrl,
    open_printer,
    parse_device_url,
    parse_printer_url,
    profile_prints_qr,
    profile_width_dots,
)
from .content import DEFAULT_FOOTER, TicketContent
from .errors import (
    BackendUnavailableError,
    NotAnEscposPrinterError,
    NotAPrinterDeviceError,
    PrinterConfigError,
    PrinterConnectionError,
    PrinterError,
    PrinterNotReadyError,
    PrinterTimeoutError,
    TicketContentError,
    UncertainDeliveryError,
)
from .jobs import JobState, PrintJob, SpoolJournal, SpoolStatus
from .spool import PrintSpool
from .status import PrinterState
from .text import DEFAULT_CODEPAGE, encode_cp1258
from .ticket import Mode, render_ticket_image, ticket_bytes

PAPER_WIDTHS = {"58mm": 384, "80mm": 576}

__all__ = [
    "DEFAULT_CODEPAGE",
    "DEFAULT_FOOTER",
    "PAPER_WIDTHS",
    "BackendUnavailableError",
    "JobState",
    "Mode",
    "NotAPrinterDeviceError",
    "NotAnEscposPrinterError",
    "PrintJob",
    "PrintSpool",
    "PrinterConfigError",
    "PrinterConnectionError",
    "PrinterError",
    "PrinterNotReadyError",
    "PrinterState",
    "PrinterTimeoutError",
    "PrinterUrl",
    "SpoolJournal",
    "SpoolStatus",
    "TicketContent",
    "TicketContentError",
    "UncertainDeliveryError",
    "encode_cp1258",
    "open_printer",
    "parse_device_url",
    "parse_printer_url",
    "profile_prints_qr",
    "profile_width_dots",
    "render_ticket_image",
    "ticket_bytes",
]
