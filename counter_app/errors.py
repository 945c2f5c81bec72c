"""Errors of the counter app; each carries a sentence fit to show the officer.

CounterAppError
├── ConfigError          the server address or counter number typed in is not usable
├── Unreachable          no answer from the server (refused, timed out, dropped)
└── ServerError          the server answered with its JSON error {"error", "message"}
    └── SessionExpired   401: the token is missing, revoked or expired; sign in again
"""

from __future__ import annotations


class CounterAppError(Exception):
    """Base of every counter-app error; `message` is the sentence shown in the window."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(CounterAppError):
    """A setting the officer typed cannot be used."""


class Unreachable(CounterAppError):
    """The server could not be reached, or the answer never came."""


class ServerError(CounterAppError):
    """The server refused the request; `code` is its stable error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SessionExpired(ServerError):
    """The server no longer accepts our token."""
