"""In-process event bus: committed queue changes fan out to displays, the announcer and printers.

Publishers call `publish` only after their transaction commits. Subscribers are called on the
publisher's thread and must return quickly (hand the event to a queue of their own).
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

# Kinds published by the queue engine. Extensions may publish kinds of their own.
TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_STARTED = "ticket.started"
TICKET_FINISHED = "ticket.finished"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_TRANSFERRED = "ticket.transferred"
TICKET_CANCELLED = "ticket.cancelled"
COUNTER_STATE = "counter.state"


@dataclass(frozen=True)
class Event:
    """One committed change: `data` holds JSON-ready `ticket` and/or `counter` objects."""

    seq: int
    kind: str
    office_id: int
    data: dict[str, Any]
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, Any]:
        """Serialise for the wire (the SSE stream, logs)."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "office_id": self.office_id,
            "at": self.at.isoformat(),
            "data": self.data,
        }


Subscriber = Callable[[Event], None]


class EventBus:
    """Numbers events in publish order and hands each to every subscriber."""

    def __init__(self, history: int = 1000) -> None:
        self.boot_id = uuid.uuid4().hex[:12]
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._history: deque[Event] = deque(maxlen=history)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register `callback`; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, kind: str, office_id: int, data: dict[str, Any]) -> Event:
        """Number the event and deliver it; a failing subscriber never stops the others."""
        with self._lock:
            event = Event(seq=next(self._seq), kind=kind, office_id=office_id, data=data)
            self._history.append(event)
            subscribers = list(self._subscribers)
            # Delivery happens under the lock so every subscriber sees events in seq order.
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    log.exception("event subscriber %r failed on %s", callback, kind)
        return event

    def since(self, seq: int) -> list[Event] | None:
        """Events after `seq` still held in memory, or None when some were already dropped."""
        with self._lock:
            if not self._history:
                return [] if seq >= 0 else None
            oldest = self._history[0].seq
            if seq < oldest - 1:
                return None
            return [e for e in self._history if e.seq > seq]

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event, 0 before the first."""
        with self._lock:
            return self._history[-1].seq if self._history else 0
