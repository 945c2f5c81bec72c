"""What the window knows about its counter, and how answers and snapshots change it.

No Tk and no network: the window feeds the `Desk` what arrives and draws what it holds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import CounterAppError, Unreachable
from .i18n import _
from .state import Action, ActionRequest, RetryBook, apply_ticket, enabled_actions
from .views import CounterInfo, DayStats, QueueSnapshot, ServiceQueue, TicketInfo


class ServerClock:
    """The server's time, estimated from its snapshots, so PC clock errors do not skew timers."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def observe(self, server_time: datetime | None, local_time: datetime | None = None) -> None:
        """Learn the offset from a time the server just reported."""
        if server_time is not None:
            self.offset = server_time - (local_time or datetime.now(UTC))

    def now(self) -> datetime:
        """The server's current time."""
        return datetime.now(UTC) + self.offset


class Desk:
    """One counter as seen from its window: state, the queue, the day, the action in flight."""

    def __init__(self, counter_number: int = 0) -> None:
        self.counter_number = counter_number
        self.officer_name = ""
        self.counter: CounterInfo | None = None
        self.snapshot: QueueSnapshot | None = None
        self.snapshot_at = 0.0
        self.stats: DayStats | None = None
        self.services: list[dict[str, Any]] = []
        self.online = True
        self.stream_live = False
        self.busy: ActionRequest | None = None
        self.retry_book = RetryBook()
        self.clock = ServerClock()
        self.applied_epoch = 0

    # --- session ----------------------------------------------------------------------------

    def signed_in(self, answer: dict[str, Any], username: str) -> None:
        """Take the sign-in answer: who is here, and the counter as it stands."""
        officer = answer.get("officer")
        name = officer.get("full_name") if isinstance(officer, dict) else None
        self.officer_name = str(name or username)
        counter = answer.get("counter")
        self.counter = CounterInfo.from_json(counter) if isinstance(counter, dict) else None
        self.online = True
        self.forget_action()

    def signed_out(self) -> None:
        """Nobody here any more: forget the counter's state."""
        self.counter = None
        self.snapshot = None
        self.stats = None
        self.forget_action()

    def forget_action(self) -> None:
        """No action in flight, none to retry."""
        self.busy = None
        self.retry_book.settled()

    # --- actions ----------------------------------------------------------------------------

    @property
    def current(self) -> TicketInfo | None:
        """The ticket called here or being served."""
        ticket = self.counter.current if self.counter else None
        return ticket if ticket is not None and ticket.active else None

    def enabled(self) -> frozenset[Action]:
        """The actions valid now (the buttons stay lit while one is in flight: no flicker)."""
        return enabled_actions(self.counter, online=self.online)

    def begin(
        self, action: Action, body: dict[str, Any] | None = None, ticket_id: int | None = None
    ) -> ActionRequest | None:
        """The request for a press, or None while another is in flight."""
        if self.busy is not None:
            return None
        self.busy = self.retry_book.request(action, body, ticket_id)
        return self.busy

    def _done(self, request: ActionRequest) -> None:
        if self.busy is not None and self.busy.key == request.key:
            self.busy = None

    def answered(self, request: ActionRequest, answer: dict[str, Any], epoch: int) -> str | None:
        """Apply an action's answer; returns news worth a line in the window, if any."""
        self._done(request)
        self.retry_book.settled()
        self.applied_epoch = max(self.applied_epoch, epoch)
        if request.action is Action.REPRINT:
            return _("Đã gửi lệnh in lại phiếu {number}.", number=answer.get("number", ""))
        if "state" in answer and "services" in answer:
            self.counter = CounterInfo.from_json(answer)
            return None
        ticket = TicketInfo.from_json(answer)
        if self.counter is not None:
            self.counter = apply_ticket(self.counter, ticket)
        if request.action is Action.TRANSFER:
            return _(
                "Đã chuyển số {number} sang {service}.",
                number=ticket.number,
                service=ticket.service_label(),
            )
        if request.action is Action.NO_SHOW:
            return _(
                "Số {number} được ghi vắng mặt; vẫn có thể gọi lại trong thời gian cho phép.",
                number=ticket.number,
            )
        if request.action is Action.FINISH and ticket.status == "waiting":
            return _(
                "Số {number} tiếp tục sang {service}.",
                number=ticket.number,
                service=ticket.service_label(),
            )
        return None

    def failed(self, request: ActionRequest, error: CounterAppError, label: str) -> str:
        """An action was refused or its answer lost: the sentence to show."""
        self._done(request)
        if isinstance(error, Unreachable):
            self.retry_book.unanswered(request)  # pressing it again reuses its key
            return _(
                "Mất kết nối máy chủ khi gửi “{action}”. Khi có kết nối lại, màn hình tự cập nhật; "
                "nếu cần, bấm lại — thao tác không bị thực hiện hai lần.",
                action=label,
            )
        self.retry_book.settled()
        return error.message

    # --- the queue --------------------------------------------------------------------------

    def take_snapshot(self, snapshot: QueueSnapshot, epoch: int) -> bool:
        """Use a fresh queue unless it was taken before an answer already applied."""
        if epoch < self.applied_epoch:
            return False
        self.snapshot = snapshot
        self.snapshot_at = time.monotonic()
        self.clock.observe(snapshot.updated_at)
        mine = snapshot.counter(self.counter_number)
        if mine is not None:
            self.counter = mine
        return True

    def lines(self) -> list[ServiceQueue]:
        """The waiting lines of this counter's services."""
        if self.snapshot is None or self.counter is None:
            return []
        return self.snapshot.lines_for(self.counter)

    def snapshot_age_minutes(self) -> float:
        """How old the snapshot is: waits shown keep growing by this much."""
        return (time.monotonic() - self.snapshot_at) / 60 if self.snapshot else 0.0

    def ticket_id(self, number: str) -> int | None:
        """A ticket's id from its number: the current one, or one the snapshot lists."""
        wanted = number.strip().upper()
        current = self.current
        if current is not None and current.number == wanted:
            return current.id
        return self.snapshot.find_ticket_id(wanted) if self.snapshot else None
