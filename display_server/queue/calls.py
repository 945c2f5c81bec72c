"""Calling and serving: call next, call a number, recall, start, finish, no-show, transfer, cancel.

Every function acts for an officer at a counter inside one write transaction. Two counters can
never take the same ticket: on SQLite the transaction holds the write lock from its start; on
PostgreSQL the next ticket is claimed with FOR UPDATE SKIP LOCKED and the counter row is locked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..events import (
    TICKET_CALLED,
    TICKET_CANCELLED,
    TICKET_FINISHED,
    TICKET_NO_SHOW,
    TICKET_RECALLED,
    TICKET_STARTED,
    TICKET_TRANSFERRED,
)
from ..models import (
    Counter,
    CounterState,
    Priority,
    StepOutcome,
    Ticket,
    TicketStatus,
)
from .clock import utc_now
from .errors import Conflict, InvalidInput
from .estimates import forget_average
from .journal import log_change
from .next_ticket import next_ticket
from .records import (
    CounterRow,
    OfficeLike,
    OfficerLike,
    TicketRow,
    add_step,
    current_ticket,
    find_counter,
    find_service,
    load_ticket,
    set_counter,
    set_step,
    set_ticket,
)

ACTIVE = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def _require_open(counter: CounterRow) -> None:
    if counter.state == CounterState.PAUSED.value:
        raise Conflict(
            "counter_paused",
            "Quầy {counter} đang tạm nghỉ. Hãy tiếp tục trước khi gọi số.",
            counter=counter.number,
        )
    if counter.state != CounterState.OPEN.value:
        raise Conflict(
            "counter_closed",
            "Quầy {counter} đang đóng. Hãy đăng nhập để mở quầy.",
            counter=counter.number,
        )


def require_idle(session: Session, counter: Counter | CounterRow) -> None:
    """Refuse while the counter has a citizen called or in service."""
    busy = current_ticket(session, counter.id)
    if busy is not None:
        raise Conflict(
            "counter_busy",
            "Quầy {counter} đang phục vụ số {ticket}. Hãy hoàn thành, chuyển hoặc đánh dấu vắng "
            "mặt trước.",
            counter=counter.number,
            ticket=busy.number,
        )


def _require_current(session: Session, counter: CounterRow, *statuses: str) -> TicketRow:
    ticket = current_ticket(session, counter.id)
    if ticket is None:
        raise Conflict(
            "no_current_ticket", "Quầy {counter} chưa gọi số nào.", counter=counter.number
        )
    if ticket.status not in statuses:
        raise Conflict(
            "wrong_state",
            "Số {ticket} đang ở trạng thái {status}, không thể thực hiện thao tác này.",
            ticket=ticket.number,
            status=ticket.status,
        )
    return ticket


def _call(
    session: Session,
    office: OfficeLike,
    counter: CounterRow,
    officer: OfficerLike | None,
    ticket: TicketRow,
    now: datetime,
) -> TicketRow:
    set_ticket(
        session,
        ticket,
        status=TicketStatus.CALLED.value,
        counter_id=counter.id,
        status_changed_at=now,
    )
    set_step(
        session,
        ticket.open_step,
        counter_id=counter.id,
        officer_id=officer.id if officer else None,
        called_at=now,
    )
    if ticket.priority != Priority.NONE.value:
        set_counter(session, counter, normal_since_priority=0)
    else:
        set_counter(session, counter, normal_since_priority=counter.normal_since_priority + 1)
    log_change(
        session,
        TICKET_CALLED,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
    )
    return ticket


def call_next(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """Call the next citizen: priority per the office policy, then service order, then arrival."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    _require_open(counter)
    require_idle(session, counter)
    if office.priority_policy == "ratio":
        priority_first = counter.normal_since_priority >= max(1, office.priority_ratio)
    else:
        priority_first = True
    ticket = next_ticket(session, office, counter, priority_first)
    if ticket is None:
        raise Conflict(
            "queue_empty",
            "Không còn công dân nào đang chờ tại quầy {counter}.",
            counter=counter.number,
        )
    return _call(session, office, counter, officer, ticket, now)


def call_ticket(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    ticket: TicketRow | Ticket,
    now: datetime | None = None,
) -> TicketRow:
    """Call a given ticket: a waiting one, or a no-show still inside the grace window."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    _require_open(counter)
    require_idle(session, counter)
    row = load_ticket(session, ticket.id, lock=True)
    if row.status == TicketStatus.NO_SHOW.value:
        grace = timedelta(minutes=office.no_show_grace_minutes)
        if now - row.status_changed_at > grace:
            raise Conflict(
                "no_show_expired",
                "Số {ticket} đã vắng mặt quá {minutes} phút; không thể gọi lại. "
                "Công dân có thể lấy số mới.",
                ticket=row.number,
                minutes=office.no_show_grace_minutes,
            )
        add_step(session, row, row.open_step.service_id, now)
    elif row.status != TicketStatus.WAITING.value:
        raise Conflict(
            "not_waiting",
            "Số {ticket} không ở trạng thái chờ gọi ({status}).",
            ticket=row.number,
            status=row.status,
        )
    return _call(session, office, counter, officer, row, now)


def recall(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """Call the current ticket again (counted), when the citizen has not come up yet."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    step = ticket.open_step
    set_step(session, step, recall_count=step.recall_count + 1)
    log_change(
        session,
        TICKET_RECALLED,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
        detail={"recall_count": step.recall_count},
    )
    return ticket


def start_service(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """The citizen has come up: service starts now."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    set_ticket(session, ticket, status=TicketStatus.SERVING.value, status_changed_at=now)
    set_step(session, ticket.open_step, started_at=now)
    log_change(
        session,
        TICKET_STARTED,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
    )
    return ticket


def _close_step(session: Session, ticket: TicketRow, outcome: StepOutcome, now: datetime) -> None:
    """End the open step with `outcome`; a step ended without "start" started at its call."""
    step = ticket.open_step
    started = {} if step.started_at is not None else {"started_at": step.called_at or now}
    set_step(session, step, finished_at=now, outcome=outcome.value, **started)


def _move_on(
    session: Session,
    ticket: TicketRow,
    now: datetime,
    service_id: int,
    *,
    front: bool,
    queued_at: datetime,
    target_counter_id: int | None = None,
    planned: list[str] | None = None,
) -> None:
    """Put the ticket back in line for `service_id` with a new step, keeping its number."""
    changes: dict[str, object] = {
        "status": TicketStatus.WAITING.value,
        "status_changed_at": now,
        "counter_id": None,
        "service_id": service_id,
        "target_counter_id": target_counter_id,
        "front": front,
        "queued_at": queued_at,
    }
    if planned is not None:
        changes["planned"] = planned
    set_ticket(session, ticket, **changes)
    add_step(session, ticket, service_id, now)


def finish_service(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """Service is done; a bundled procedure continues at its next service on the same number."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    ticket = _require_current(session, counter, *ACTIVE)
    step = ticket.open_step
    _close_step(session, ticket, StepOutcome.DONE, now)
    forget_average(session, step.service_id)
    planned = list(ticket.planned or [])
    if planned:
        next_service = find_service(session, office.id, planned.pop(0))
        _move_on(session, ticket, now, next_service.id, front=True, queued_at=now, planned=planned)
    else:
        set_ticket(
            session, ticket, status=TicketStatus.DONE.value, status_changed_at=now, counter_id=None
        )
    log_change(
        session,
        TICKET_FINISHED,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
        detail={"step_id": step.id, "continues": ticket.status == TicketStatus.WAITING.value},
    )
    return ticket


def mark_no_show(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """The citizen did not come up; the counter may call the number back within the grace window."""
    now = now or utc_now()
    counter = find_counter(session, office.id, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    set_step(session, ticket.open_step, finished_at=now, outcome=StepOutcome.NO_SHOW.value)
    set_ticket(
        session, ticket, status=TicketStatus.NO_SHOW.value, status_changed_at=now, counter_id=None
    )
    log_change(
        session,
        TICKET_NO_SHOW,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
        detail={"grace_minutes": office.no_show_grace_minutes},
    )
    return ticket


def transfer(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    officer: OfficerLike | None,
    service_code: str,
    *,
    position: str = "front",
    to_counter: int | None = None,
    now: datetime | None = None,
) -> TicketRow:
    """Send the current citizen on to another service (or counter), keeping the number."""
    now = now or utc_now()
    if position not in ("front", "arrival"):
        raise InvalidInput(
            "invalid_position",
            'Vị trí chuyển phải là "front" (lên đầu) hoặc "arrival" (theo giờ lấy số).',
        )
    counter = find_counter(session, office.id, counter_number, lock=True)
    ticket = _require_current(session, counter, *ACTIVE)
    service = find_service(session, office.id, service_code)
    if not service.active:
        raise Conflict(
            "service_inactive", "Dịch vụ {service} hiện tạm ngừng nhận hồ sơ.", service=service.name
        )
    target = find_counter(session, office.id, to_counter) if to_counter is not None else None
    if target is not None and service.id not in target.service_ids:
        # The office's setup says no (409), as for an inactive service: not a malformed field.
        raise Conflict(
            "counter_does_not_serve",
            "Quầy {counter} không phục vụ dịch vụ {service}.",
            counter=target.number,
            service=service.name,
        )
    _close_step(session, ticket, StepOutcome.TRANSFERRED, now)
    _move_on(
        session,
        ticket,
        now,
        service.id,
        front=position == "front",
        queued_at=now if position == "front" else ticket.issued_at,
        target_counter_id=target.id if target else None,
    )
    log_change(
        session,
        TICKET_TRANSFERRED,
        office_id=office.id,
        at=now,
        ticket=ticket,
        counter=counter,
        officer=officer,
        detail={
            "to_service": service.code,
            "position": position,
            "to_counter": target.number if target else None,
        },
    )
    return ticket


def cancel_ticket(
    session: Session,
    office: OfficeLike,
    ticket: TicketRow | Ticket,
    officer: OfficerLike | None,
    now: datetime | None = None,
) -> TicketRow:
    """Withdraw a waiting (or no-show) ticket, e.g. the citizen left or took a wrong number."""
    now = now or utc_now()
    row = load_ticket(session, ticket.id, lock=True)
    if row.status not in (TicketStatus.WAITING.value, TicketStatus.NO_SHOW.value):
        raise Conflict(
            "not_cancellable",
            "Số {ticket} đang ở trạng thái {status}, không thể hủy.",
            ticket=row.number,
            status=row.status,
        )
    step = row.open_step
    if step.outcome == StepOutcome.PENDING.value:
        set_step(session, step, outcome=StepOutcome.CANCELLED.value, finished_at=now)
    set_ticket(session, row, status=TicketStatus.CANCELLED.value, status_changed_at=now)
    log_change(session, TICKET_CANCELLED, office_id=office.id, at=now, ticket=row, officer=officer)
    return row
