"""Finding the rows the queue rules act on, with the errors callers see when they are absent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Counter, Office, Service, Ticket, TicketStatus
from .errors import NotFound
from .records import OfficeLike


def get_office(session: Session, office_id: int | None = None) -> Office:
    """The office with `office_id`, or the first one when none is named."""
    stmt = select(Office).order_by(Office.id).limit(1)
    if office_id is not None:
        stmt = select(Office).where(Office.id == office_id)
    office = session.scalars(stmt).first()
    if office is None:
        raise NotFound("office_not_found", "Chưa cấu hình cơ quan.")
    return office


def get_service(session: Session, office: OfficeLike, code: str) -> Service:
    """The office's service with ticket prefix `code` (case does not matter)."""
    service = session.scalars(
        select(Service).where(Service.office_id == office.id, Service.code == code.upper())
    ).first()
    if service is None:
        raise NotFound("unknown_service", "Không có dịch vụ mã {code}.", code=code)
    return service


def get_counter(
    session: Session, office: OfficeLike, number: int, *, lock: bool = False
) -> Counter:
    """The office's counter `number`; `lock` holds its row until commit (PostgreSQL)."""
    if not 0 < number < 2**31:
        raise NotFound("unknown_counter", "Không có quầy số {number}.", number=number)
    stmt = select(Counter).where(Counter.office_id == office.id, Counter.number == number)
    if lock:
        stmt = stmt.with_for_update()
    counter = session.scalars(stmt).first()
    if counter is None or not counter.active:
        raise NotFound("unknown_counter", "Không có quầy số {number}.", number=number)
    return counter


def get_ticket(
    session: Session, office: OfficeLike, ticket_id: int, *, lock: bool = False
) -> Ticket:
    """The office's ticket with database id `ticket_id`."""
    if not 0 < ticket_id < 2**63:
        raise NotFound("unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket=ticket_id)
    stmt = select(Ticket).where(Ticket.id == ticket_id, Ticket.office_id == office.id)
    if lock:
        stmt = stmt.with_for_update()
    ticket = session.scalars(stmt).first()
    if ticket is None:
        raise NotFound("unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket=ticket_id)
    return ticket


def find_ticket_by_number(
    session: Session, office: OfficeLike, number: str, day: date, *, lock: bool = False
) -> Ticket:
    """The ticket an officer means by `number` ("A012") on the office's local `day`.

    A waiting ticket with that number always wins over one that is not waiting. When two wait
    (one left over from an earlier day, one of today), it is the earlier day's: it has waited
    longest and is first in line, as call-next would take it; today's is called by its id.
    With none waiting, the ticket of `day`, whose state then says why it cannot be called.
    """
    shown = Ticket.office_id == office.id, Ticket.number == number.upper()
    waiting = (
        select(Ticket)
        .where(*shown, Ticket.status == TicketStatus.WAITING.value)
        .order_by(Ticket.local_day, Ticket.id)
        .limit(1)
    )
    of_day = select(Ticket).where(*shown, Ticket.local_day == day).limit(1)
    for stmt in (waiting, of_day):
        ticket = session.scalars(stmt.with_for_update() if lock else stmt).first()
        if ticket is not None:
            return ticket
    raise NotFound("unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket=number)


def get_ticket_by_token(session: Session, token: str) -> Ticket:
    """The ticket behind a status-page token (the QR code on the printed ticket)."""
    ticket = session.scalars(select(Ticket).where(Ticket.token == token)).first()
    if ticket is None:
        raise NotFound("unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket=token[:12])
    return ticket
