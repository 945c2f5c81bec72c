"""The server's JSON as values: tickets, counters, waiting lines, the officer's day.

Mirrors display_server/queue/views.py and snapshot.py from the outside: every field is read
defensively, so an odd or newer answer never breaks the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .i18n import language

# Ticket statuses and counter states as the API spells them.
CALLED, SERVING = "called", "serving"
OPEN, PAUSED, CLOSED = "open", "paused", "closed"
PRIORITISED = "prioritised"  # served first, class not known (words.py says just "Ưu tiên")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the API (always with its UTC offset), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _float(value: Any, default: float = 0.0) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _priority(data: dict[str, Any]) -> str:
    """The ticket's priority class; the server shows it to signed-in staff only, so a public
    answer (a session that just expired) gives just the mark: "prioritised" or "none"."""
    priority = data.get("priority")
    if isinstance(priority, str):
        return priority
    return PRIORITISED if data.get("prioritised") is True else "none"


@dataclass(frozen=True)
class TicketInfo:
    """A ticket as the counter needs it: who, what, and the times of its current step."""

    id: int
    number: str
    service: str
    service_name: str
    service_name_en: str | None
    status: str
    priority: str
    counter: int | None
    target_wait_minutes: int | None
    issued_at: datetime | None
    queued_at: datetime | None
    called_at: datetime | None
    started_at: datetime | None
    recall_count: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketInfo:
        """Read the API's ticket object (display_server/queue/views.py: ticket_view)."""
        steps = [s for s in data.get("steps") or [] if isinstance(s, dict)]
        step: dict[str, Any] = steps[-1] if steps else {}
        # A no-show called back gets a new step, queued at the call; the citizen has waited
        # since they first queued for this service.
        first = len(steps) - 1
        while (
            first > 0
            and steps[first - 1].get("outcome") == "no_show"
            and steps[first - 1].get("service") == step.get("service")
        ):
            first -= 1
        queued = steps[first].get("queued_at") if steps else None
        target = data.get("target_wait_minutes")
        return cls(
            id=_int(data.get("id")),
            number=_str(data.get("number"), "?"),
            service=_str(data.get("service")),
            service_name=_str(data.get("service_name")),
            service_name_en=data.get("service_name_en") or None,
            status=_str(data.get("status")),
            priority=_priority(data),
            counter=data.get("counter") if isinstance(data.get("counter"), int) else None,
            target_wait_minutes=target if isinstance(target, int) else None,
            issued_at=parse_time(data.get("issued_at")),
            queued_at=parse_time(queued) or parse_time(data.get("issued_at")),
            called_at=parse_time(step.get("called_at")),
            started_at=parse_time(step.get("started_at")),
            recall_count=_int(step.get("recall_count")),
        )

    @property
    def active(self) -> bool:
        """Called to a counter or being served."""
        return self.status in (CALLED, SERVING)

    @property
    def is_priority(self) -> bool:
        """Served first by law (elderly, disabled, pregnant, …)."""
        return self.priority not in ("", "none")

    def service_label(self) -> str:
        """The service name in the current language."""
        if language() == "en" and self.service_name_en:
            return self.service_name_en
        return self.service_name or self.service

    def waited_minutes(self) -> float | None:
        """How long the citizen waited in line for this step, up to the call."""
        if self.queued_at is None or self.called_at is None:
            return None
        return max(0.0, (self.called_at - self.queued_at).total_seconds() / 60)

    def waited_past_target(self) -> bool:
        """True when the wait before the call exceeded the service's target."""
        waited = self.waited_minutes()
        target = self.target_wait_minutes
        return waited is not None and target is not None and waited > target


@dataclass(frozen=True)
class CounterInfo:
    """A counter's state, services, officer and current ticket."""

    number: int
    name: str
    state: str
    pause_reason: str | None
    services: tuple[str, ...]
    officer_name: str | None
    current: TicketInfo | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CounterInfo:
        """Read the API's counter object (display_server/queue/views.py: counter_view)."""
        officer = data.get("officer")
        current = data.get("current_ticket")
        return cls(
            number=_int(data.get("number")),
            name=_str(data.get("name")),
            state=_str(data.get("state"), CLOSED),
            pause_reason=data.get("pause_reason") or None,
            services=tuple(s for s in data.get("services") or [] if isinstance(s, str)),
            officer_name=_str(officer.get("full_name")) if isinstance(officer, dict) else None,
            current=TicketInfo.from_json(current) if isinstance(current, dict) else None,
        )


@dataclass(frozen=True)
class WaitingTicket:
    """One ticket in a waiting list."""

    id: int
    number: str
    priority: str
    waited_minutes: float
    past_target: bool

    @property
    def is_priority(self) -> bool:
        """Served first by law."""
        return self.priority not in ("", "none")


@dataclass(frozen=True)
class ServiceQueue:
    """The waiting line of one service."""

    code: str
    name: str
    name_en: str | None
    waiting: int
    priority_waiting: int
    longest_wait_minutes: float
    target_wait_minutes: int | None
    past_target: int
    tickets: tuple[WaitingTicket, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceQueue:
        """Read one entry of GET /api/v1/queue's `services`."""
        target = data.get("target_wait_minutes")
        return cls(
            code=_str(data.get("code")),
            name=_str(data.get("name")),
            name_en=data.get("name_en") or None,
            waiting=_int(data.get("waiting")),
            priority_waiting=_int(data.get("priority_waiting")),
            longest_wait_minutes=_float(data.get("longest_wait_minutes")),
            target_wait_minutes=target if isinstance(target, int) else None,
            past_target=_int(data.get("past_target")),
            tickets=tuple(
                WaitingTicket(
                    id=_int(t.get("id")),
                    number=_str(t.get("number"), "?"),
                    priority=_priority(t),
                    waited_minutes=_float(t.get("waited_minutes")),
                    past_target=bool(t.get("past_target")),
                )
                for t in data.get("tickets") or []
                if isinstance(t, dict)
            ),
        )

    def label(self) -> str:
        """The service name in the current language."""
        if language() == "en" and self.name_en:
            return self.name_en
        return self.name or self.code


@dataclass(frozen=True)
class QueueSnapshot:
    """GET /api/v1/queue: waiting lines per service and every counter, at `updated_at`."""

    updated_at: datetime | None
    services: tuple[ServiceQueue, ...]
    counters: tuple[CounterInfo, ...]
    recent: tuple[tuple[int, str], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueueSnapshot:
        """Read the snapshot body (display_server/queue/snapshot.py)."""
        return cls(
            updated_at=parse_time(data.get("updated_at")),
            services=tuple(
                ServiceQueue.from_json(s) for s in data.get("services") or [] if isinstance(s, dict)
            ),
            counters=tuple(
                CounterInfo.from_json(c) for c in data.get("counters") or [] if isinstance(c, dict)
            ),
            recent=tuple(
                (_int(r.get("ticket_id")), _str(r.get("number")))
                for r in data.get("recent_calls") or []
                if isinstance(r, dict)
            ),
        )

    def counter(self, number: int) -> CounterInfo | None:
        """The counter with `number`, if the office has it."""
        return next((c for c in self.counters if c.number == number), None)

    def lines_for(self, counter: CounterInfo) -> list[ServiceQueue]:
        """The waiting lines of the services `counter` serves, in the counter's order."""
        by_code = {s.code: s for s in self.services}
        return [by_code[code] for code in counter.services if code in by_code]

    def find_ticket_id(self, number: str) -> int | None:
        """A ticket's id from its number among waiting tickets, counters and recent calls."""
        wanted = number.strip().upper()
        for line in self.services:
            for ticket in line.tickets:
                if ticket.number == wanted:
                    return ticket.id
        for counter in self.counters:
            if counter.current and counter.current.number == wanted:
                return counter.current.id
        for ticket_id, ticket_number in self.recent:
            if ticket_number == wanted:
                return ticket_id
        return None


@dataclass(frozen=True)
class DayStats:
    """GET /api/v1/officers/me/today."""

    served: int = 0
    no_show: int = 0
    transferred: int = 0
    average_service_minutes: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DayStats:
        """Read the officer's day."""
        average = data.get("average_service_minutes")
        return cls(
            served=_int(data.get("served")),
            no_show=_int(data.get("no_show")),
            transferred=_int(data.get("transferred")),
            average_service_minutes=float(average) if isinstance(average, int | float) else None,
        )
