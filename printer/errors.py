"""Exceptions raised by the printer package.

The tree::

    PrinterError                      base of everything raised here
    ├── TicketContentError            a ticket that cannot be laid out (also a ValueError)
    ├── PrinterConfigError            a bad printer URL, profile or option (also a ValueError)
    │   ├── BackendUnavailableError   the URL's backend cannot run here (OS, missing library)
    │   └── NotAPrinterDeviceError    a URL from administration that names no printer device
    └── PrinterConnectionError        the printer could not be reached or dropped the link
        ├── PrinterTimeoutError       it accepted a connection but did not answer in time
        ├── PrinterNotReadyError      it answered, but cannot print (paper out, cover open)
        ├── NotAnEscposPrinterError   it answered, but not as an ESC/POS printer (a web server)
        └── UncertainDeliveryError    it took a whole job, then did not confirm it (maybe printed)

The spool catches `PrinterConnectionError` and retries; the others mean a retry cannot help.
"""

from __future__ import annotations


class PrinterError(Exception):
    """Base class of every error raised by the printer package."""


class TicketContentError(PrinterError, ValueError):
    """The ticket content is invalid (naive datetime, empty number, unreadable logo)."""


class PrinterConfigError(PrinterError, ValueError):
    """A printer URL, profile or option is malformed or unknown."""


class BackendUnavailableError(PrinterConfigError):
    """The backend named by the URL is not usable on this machine."""


class NotAPrinterDeviceError(PrinterConfigError):
    """The URL names something other than a printer device (a file, the dummy printer)."""


class PrinterConnectionError(PrinterError):
    """The printer could not be opened, written to or read from."""


class PrinterTimeoutError(PrinterConnectionError):
    """The printer did not answer within the timeout."""


class PrinterNotReadyError(PrinterConnectionError):
    """The printer answered a status query with a state in which it cannot print."""

    def __init__(self, message: str, state: str) -> None:
        super().__init__(message)
        self.state = state


class NotAnEscposPrinterError(PrinterConnectionError):
    """The device answered a status query with bytes no ESC/POS printer sends (HTTP, say)."""


class UncertainDeliveryError(PrinterConnectionError):
    """Every byte of a job went out, but the printer did not confirm it: it may have printed."""
