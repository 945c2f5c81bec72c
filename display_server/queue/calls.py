"""Calling and serving: call next, call a number, recall, start, finish, no-show, transfer, cancel.

Every function acts for an officer at a counter inside one write transaction. Two counters can
never take the same ticket: on SQLite the transaction holds the write lock from its start; on
PostgreSQL the next ticket is claimed with FOR UPDATE SKIP LOCKED and the counter row is locked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
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
    Office,
    Officer,
    Priority,
    StepOutcome,
    Ticket,
    TicketStatus,
    TicketStep,
)
from .clock import local_day, utc_now
from .errors import Conflict, InvalidInput
from .estimates import forget_average
from .journal import log_change
from .lookups import current_ticket, get_counter, get_service

ACTIVE = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def _require_open(counter: Counter) -> None:
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


def require_idle(session: Session, counter: Counter) -> None:
    """Refuse while the counter has a citizen called or in service."""
    busy = current_ticket(session, counter)
    if busy is not None:
        raise Conflict(
            "counter_busy",
            "Quầy {counter} đang phục vụ số {ticket}. Hãy hoàn thành, chuyển hoặc đánh dấu vắng "
            "mặt trước.",
            counter=counter.number,
            ticket=busy.number,
        )


def _require_current(session: Session, counter: Counter, *statuses: str) -> Ticket:
    ticket = current_ticket(session, counter)
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


def _open_step(ticket: Ticket) -> TicketStep:
    return ticket.steps[-1]


PRIORITY_CLASSES = [p.value for p in Priority if p is not Priority.NONE]


def _next_candidate(
    session: Session, office: Office, counter: Counter, priority_first: bool, today: date
) -> Ticket | None:
    """The next ticket in calling order: priority class, service rank, front, queue time.

    One small query per (class, service), each an index seek (ix_ticket_next), instead of
    sorting the whole waiting room on every call.
    """
    classes = [True, False] if priority_first else [False, True]
    lock = session.get_bind().dialect.name == "postgresql"
    for priority in classes:
        for link in counter.service_links:
            stmt = (
                select(Ticket)
                .where(
                    Ticket.office_id == office.id,
                    Ticket.service_id == link.service_id,
                    Ticket.local_day == today,
                    Ticket.status == TicketStatus.WAITING.value,
                    Ticket.priority.in_(PRIORITY_CLASSES)
                    if priority
                    else Ticket.priority == Priority.NONE.value,
                    or_(
                        Ticket.target_counter_id.is_(None),
                        Ticket.target_counter_id == counter.id,
                    ),
                )
                .order_by(Ticket.front.desc(), Ticket.queued_at, Ticket.id)
                .limit(1)
            )
            if lock:
                stmt = stmt.with_for_update(of=Ticket, skip_locked=True)
            ticket = session.scalars(stmt).first()
            if ticket is not None:
                return ticket
    return None


def _call(
    session: Session,
    office: Office,
    counter: Counter,
    officer: Officer | None,
    ticket: Ticket,
    now: datetime,
) -> Ticket:
    step = _open_step(ticket)
    ticket.status = TicketStatus.CALLED.value
    ticket.counter_id = counter.id
    ticket.counter = counter
    ticket.status_changed_at = now
    step.counter_id = counter.id
    step.officer_id = officer.id if officer else None
    step.called_at = now
    if ticket.priority != Priority.NONE.value:
        counter.normal_since_priority = 0
    else:
        counter.normal_since_priority += 1
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
    office: Office,
    counter_number: int,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """Call the next citizen: priority per the office policy, then service order, then arrival."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    _require_open(counter)
    require_idle(session, counter)
    if office.priority_policy == "ratio":
        priority_first = counter.normal_since_priority >= max(1, office.priority_ratio)
    else:
        priority_first = True
    today = local_day(office, now)
    ticket = _next_candidate(session, office, counter, priority_first, today)
    if ticket is None:
        raise Conflict(
            "queue_empty",
            "Không còn công dân nào đang chờ tại quầy {counter}.",
            counter=counter.number,
        )
    return _call(session, office, counter, officer, ticket, now)


def call_ticket(
    session: Session,
    office: Office,
    counter_number: int,
    officer: Officer | None,
    ticket: Ticket,
    now: datetime | None = None,
) -> Ticket:
    """Call a given ticket: a waiting one, or a no-show still inside the grace window."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    _require_open(counter)
    require_idle(session, counter)
    if ticket.status == TicketStatus.NO_SHOW.value:
        grace = timedelta(minutes=office.no_show_grace_minutes)
        if now - ticket.status_changed_at > grace:
            raise Conflict(
                "no_show_expired",
                "Số {ticket} đã vắng mặt quá {minutes} phút; không thể gọi lại. "
                "Công dân có thể lấy số mới.",
                ticket=ticket.number,
                minutes=office.no_show_grace_minutes,
            )
        previous = _open_step(ticket)
        ticket.steps.append(
            TicketStep(
                position=previous.position + 1, service_id=previous.service_id, queued_at=now
            )
        )
    elif ticket.status != TicketStatus.WAITING.value:
        raise Conflict(
            "not_waiting",
            "Số {ticket} không ở trạng thái chờ gọi ({status}).",
            ticket=ticket.number,
            status=ticket.status,
        )
    return _call(session, office, counter, officer, ticket, now)


def recall(
    session: Session,
    office: Office,
    counter_number: int,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """Call the current ticket again (counted), when the citizen has not come up yet."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    step = _open_step(ticket)
    step.recall_count += 1
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
    office: Office,
    counter_number: int,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """The citizen has come up: service starts now."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    ticket.status = TicketStatus.SERVING.value
    ticket.status_changed_at = now
    _open_step(ticket).started_at = now
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


def _continue_or_close(ticket: Ticket, now: datetime, next_service_id: int | None) -> None:
    if next_service_id is None:
        ticket.status = TicketStatus.DONE.value
        ticket.counter_id = None
        ticket.counter = None
        return
    ticket.status = TicketStatus.WAITING.value
    ticket.counter_id = None
    ticket.counter = None
    ticket.service_id = next_service_id
    ticket.target_counter_id = None
    ticket.steps.append(
        TicketStep(
            position=_open_step(ticket).position + 1, service_id=next_service_id, queued_at=now
        )
    )


def finish_service(
    session: Session,
    office: Office,
    counter_number: int,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """Service is done; a bundled procedure continues at its next service on the same number."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    ticket = _require_current(session, counter, *ACTIVE)
    step = _open_step(ticket)
    if step.started_at is None:
        # Finished without "start": the citizen was served from the moment of the call.
        step.started_at = step.called_at or now
    step.finished_at = now
    step.outcome = StepOutcome.DONE.value
    ticket.status_changed_at = now
    forget_average(session, step.service_id)
    next_service_id: int | None = None
    planned = list(ticket.planned or [])
    if planned:
        next_service = get_service(session, office, planned.pop(0))
        ticket.planned = planned
        next_service_id = next_service.id
        ticket.front = True
        ticket.queued_at = now
        ticket.service = next_service
    _continue_or_close(ticket, now, next_service_id)
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
    office: Office,
    counter_number: int,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """The citizen did not come up; the counter may call the number back within the grace window."""
    now = now or utc_now()
    counter = get_counter(session, office, counter_number, lock=True)
    ticket = _require_current(session, counter, TicketStatus.CALLED.value)
    step = _open_step(ticket)
    step.finished_at = now
    step.outcome = StepOutcome.NO_SHOW.value
    ticket.status = TicketStatus.NO_SHOW.value
    ticket.status_changed_at = now
    ticket.counter_id = None
    ticket.counter = None
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
    office: Office,
    counter_number: int,
    officer: Officer | None,
    service_code: str,
    *,
    position: str = "front",
    to_counter: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Send the current citizen on to another service (or counter), keeping the number."""
    now = now or utc_now()
    if position not in ("front", "arrival"):
        raise InvalidInput(
            "invalid_position",
            'Vị trí chuyển phải là "front" (lên đầu) hoặc "arrival" (theo giờ lấy số).',
        )
    counter = get_counter(session, office, counter_number, lock=True)
    ticket = _require_current(session, counter, *ACTIVE)
    service = get_service(session, office, service_code)
    if not service.active:
        raise Conflict(
            "service_inactive", "Dịch vụ {service} hiện tạm ngừng nhận hồ sơ.", service=service.name
        )
    target = get_counter(session, office, to_counter) if to_counter is not None else None
    if target is not None and service.id not in {link.service_id for link in target.service_links}:
        raise InvalidInput(
            "counter_does_not_serve",
            "Quầy {counter} không phục vụ dịch vụ {service}.",
            counter=target.number,
            service=service.name,
        )
    step = _open_step(ticket)
    if step.started_at is None:
        step.started_at = step.called_at or now
    step.finished_at = now
    step.outcome = StepOutcome.TRANSFERRED.value
    ticket.status_changed_at = now
    ticket.front = position == "front"
    ticket.queued_at = now if position == "front" else ticket.issued_at
    ticket.service = service
    _continue_or_close(ticket, now, service.id)
    ticket.target_counter_id = target.id if target else None
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
    office: Office,
    ticket: Ticket,
    officer: Officer | None,
    now: datetime | None = None,
) -> Ticket:
    """Withdraw a waiting (or no-show) ticket, e.g. the citizen left or took a wrong number."""
    now = now or utc_now()
    if ticket.status not in (TicketStatus.WAITING.value, TicketStatus.NO_SHOW.value):
        raise Conflict(
            "not_cancellable",
            "Số {ticket} đang ở trạng thái {status}, không thể hủy.",
            ticket=ticket.number,
            status=ticket.status,
        )
    step = _open_step(ticket)
    if step.outcome == StepOutcome.PENDING.value:
        step.outcome = StepOutcome.CANCELLED.value
        step.finished_at = now
    ticket.status = TicketStatus.CANCELLED.value
    ticket.status_changed_at = now
    log_change(
        session, TICKET_CANCELLED, office_id=office.id, at=now, ticket=ticket, officer=officer
    )
    return ticket
