"""Errors of the report queries; each carries a stable code and a Vietnamese catalog message.

ReportError            a period or grouping the reports cannot use          (HTTP 422)
"""

from __future__ import annotations

from typing import Any


class ReportError(ValueError):
    """A bad report request; `message` is a catalog string whose {placeholders} `params` fill."""

    def __init__(self, code: str, message: str, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.code = code
        self.message = message
        self.params = params
