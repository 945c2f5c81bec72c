"""Errors the queue engine raises; each carries a stable code and a Vietnamese message.

QueueError
├── NotFound            unknown service, counter, ticket or officer          (HTTP 404)
├── InvalidInput        a value the queue cannot accept                       (HTTP 422)
├── NotAllowed          the officer may not do this here                      (HTTP 403)
└── Conflict            the action does not fit the current state             (HTTP 409)
    └── IssuingRefused  outside issuing hours, daily limit reached, inactive  (HTTP 409)

Messages are source strings for the translation catalog; `params` fill their {placeholders}.
"""

from __future__ import annotations

from typing import Any


class QueueError(Exception):
    """Base of every queue error."""

    status = 400

    def __init__(self, code: str, message: str, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.code = code
        self.message = message
        self.params = params


class NotFound(QueueError):
    status = 404


class InvalidInput(QueueError):
    status = 422


class NotAllowed(QueueError):
    status = 403


class Conflict(QueueError):
    status = 409


class IssuingRefused(Conflict):
    pass
