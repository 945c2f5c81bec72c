"""The counter's rules: which actions are valid now, how an answer changes the counter, and
one idempotency key per officer action. Pure logic, tested without a window or a server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .views import CALLED, OPEN, PAUSED, SERVING, CounterInfo, TicketInfo


class Action(StrEnum):
    """What an officer can do at the counter; values are the API's path segments."""

    CALL_NEXT = "call-next"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"
    TRANSFER = "transfer"
    PAUSE = "pause"
    RESUME = "resume"
    OPEN = "open"
    CALL_NUMBER = "call"
    REPRINT = "print"


# --- which actions are valid ------------------------------------------------------------------


def pause_action(counter: CounterInfo | None) -> Action:
    """What the pause button does: pause an open counter, resume a paused one, open a closed one."""
    if counter is None or counter.state == OPEN:
        return Action.PAUSE
    return Action.RESUME if counter.state == PAUSED else Action.OPEN


def enabled_actions(
    counter: CounterInfo | None, *, online: bool = True, busy: bool = False
) -> frozenset[Action]:
    """The actions the server would accept now (mirrors display_server/queue/calls.py)."""
    if counter is None or not online or busy:
        return frozenset()
    allowed: set[Action] = {pause_action(counter), Action.REPRINT}
    ticket = counter.current
    if ticket is None or not ticket.active:
        if counter.state == OPEN:
            allowed |= {Action.CALL_NEXT, Action.CALL_NUMBER}
    elif ticket.status == CALLED:
        allowed |= {Action.RECALL, Action.START, Action.FINISH, Action.NO_SHOW, Action.TRANSFER}
    elif ticket.status == SERVING:
        allowed |= {Action.FINISH, Action.TRANSFER}
    return frozenset(allowed)


def apply_ticket(counter: CounterInfo, ticket: TicketInfo) -> CounterInfo:
    """The counter after an action answered with `ticket` (called here, finished, moved on)."""
    if ticket.active and ticket.counter == counter.number:
        return replace(counter, current=ticket)
    if counter.current is not None and counter.current.id == ticket.id:
        return replace(counter, current=None)
    return counter


# --- one key per user action --------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRequest:
    """One officer action as sent: the same `key` on every retry, so the server runs it once."""

    action: Action
    body: dict[str, Any] | None = None
    ticket_id: int | None = None
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def same_as(self, other: ActionRequest) -> bool:
        """The same action with the same details (the officer pressing again)."""
        mine = (self.action, self.body, self.ticket_id)
        return mine == (other.action, other.body, other.ticket_id)


class RetryBook:
    """Remembers the action whose answer was lost, so pressing it again reuses its key."""

    def __init__(self) -> None:
        self._unanswered: ActionRequest | None = None

    def request(
        self, action: Action, body: dict[str, Any] | None = None, ticket_id: int | None = None
    ) -> ActionRequest:
        """A request for this press: the unanswered one again if it is the same action."""
        fresh = ActionRequest(action, body, ticket_id)
        if self._unanswered is not None and self._unanswered.same_as(fresh):
            return self._unanswered
        self._unanswered = None
        return fresh

    def unanswered(self, request: ActionRequest) -> None:
        """The server may or may not have done `request`: keep its key for the retry."""
        self._unanswered = request

    def settled(self) -> None:
        """An answer came (success or a refusal): the next press is a new action."""
        self._unanswered = None
