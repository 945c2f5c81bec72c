"""The queue engine: every rule of issuing, calling and serving tickets, apart from HTTP.

Functions take an explicit SQLAlchemy session (inside `Database.write_session` for changes),
raise `QueueError`s, and record events that are published once the transaction commits.
"""

from __future__ import annotations

from .calls import (
    call_next,
    call_ticket,
    cancel_ticket,
    finish_service,
    mark_no_show,
    recall,
    start_service,
    transfer,
)
from .counters import close_counter, open_counter, pause_counter, resume_counter
from .errors import Conflict, InvalidInput, IssuingRefused, NotAllowed, NotFound, QueueError
from .tickets import issue_ticket

__all__ = [
    "Conflict",
    "InvalidInput",
    "IssuingRefused",
    "NotAllowed",
    "NotFound",
    "QueueError",
    "call_next",
    "call_ticket",
    "cancel_ticket",
    "close_counter",
    "finish_service",
    "issue_ticket",
    "mark_no_show",
    "open_counter",
    "pause_counter",
    "recall",
    "resume_counter",
    "start_service",
    "transfer",
]
