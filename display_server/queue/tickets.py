"""Issuing tickets: per-code, per-day numbers that are never handed out twice."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from ..events import TICKET_ISSUED
from ..models import Channel, Priority, Service, TicketStatus
from .clock import local_time, utc_now
from .errors import InvalidInput, IssuingRefused
from .journal import log_change
from .records import (
    OfficeLike,
    ServiceRow,
    TicketRow,
    add_step,
    find_service,
    insert_ticket,
)
from .statements import scalar

PRIORITIES = {p.value for p in Priority}
CHANNELS = {c.value for c in Channel}


def parse_priority(value: str | None) -> str:
    """A priority class from client input ("with-infant" and "with_infant" alike)."""
    if value is None or value == "":
        return Priority.NONE.value
    normal = value.strip().lower().replace("-", "_")
    if normal not in PRIORITIES:
        raise InvalidInput(
            "invalid_priority",
            "Đối tượng ưu tiên không hợp lệ: {value}. Chọn một trong: {choices}.",
            value=value,
            choices=", ".join(sorted(PRIORITIES)),
        )
    return normal


def check_issuing_open(service: Service | ServiceRow, at_local: datetime) -> None:
    """Refuse a ticket outside the service's issuing hours or while it is inactive."""
    if not service.active:
        raise IssuingRefused(
            "service_inactive", "Dịch vụ {service} hiện tạm ngừng nhận hồ sơ.", service=service.name
        )
    now = at_local.time()
    start, end = service.issue_start, service.issue_end
    hours = f"{start:%H:%M}–{end:%H:%M}" if start and end else ""
    if start is not None and now < start:
        raise IssuingRefused(
            "not_yet_open",
            "Hiện tại chưa đến giờ lấy số cho dịch vụ {service}. Giờ lấy số: {hours}.",
            service=service.name,
            hours=hours or f"{start:%H:%M}–",
        )
    if end is not None and now >= end:
        raise IssuingRefused(
            "closed_for_today",
            "Đã hết giờ lấy số hôm nay cho dịch vụ {service} (giờ lấy số: {hours}). "
            "Kính mời Quý khách quay lại vào ngày làm việc tiếp theo.",
            service=service.name,
            hours=hours or f"–{end:%H:%M}",
        )


# One statement, atomic on both engines: the row lock (PostgreSQL) or the write lock (SQLite)
# makes concurrent issuers take consecutive numbers, and a refused ticket rolls its number back.
# The day's sequence belongs to the code letters the number shows, so no two services can ever
# show the same number on one day, whatever is renamed. It also never falls below what the
# issuing service itself handed out that day (`floor`): a service renamed from A to B after
# A001–A003 goes on with B004, and its own sequence never repeats.
_NEXT_SEQUENCE = text(
    """
    INSERT INTO daily_sequence (office_id, code, local_day, last)
    SELECT :office, :code, :day, coalesce(
        (SELECT max(sequence) FROM ticket WHERE issue_service_id = :service AND local_day = :day),
        0) + 1
    WHERE true
    ON CONFLICT (office_id, code, local_day) DO UPDATE SET last = CASE
        WHEN daily_sequence.last >= excluded.last THEN daily_sequence.last + 1
        ELSE excluded.last END
    RETURNING last
    """
).bindparams(bindparam("day", type_=Date()))


def check_daily_limit(service: Service | ServiceRow, issued_today: int) -> None:
    """Refuse a ticket once the service has handed out its daily limit."""
    if service.daily_limit is not None and issued_today >= service.daily_limit:
        raise IssuingRefused(
            "daily_limit_reached",
            "Dịch vụ {service} đã hết số thứ tự trong ngày ({limit} số). "
            "Kính mời Quý khách quay lại vào ngày làm việc tiếp theo.",
            service=service.name,
            limit=service.daily_limit,
        )


def next_sequence(session: Session, service: Service | ServiceRow, at_local: datetime) -> int:
    """Take the next number of the day for `service`'s code in one atomic statement."""
    parameters = {
        "office": service.office_id,
        "code": service.code,
        "service": service.id,
        "day": at_local.date(),
    }
    return int(scalar(session, _NEXT_SEQUENCE, parameters))


def format_number(code: str, sequence: int) -> str:
    """The number shown and spoken: the service code and three digits ("A012")."""
    return f"{code}{sequence:03d}"


def issue_ticket(
    session: Session,
    office: OfficeLike,
    service_code: str,
    *,
    priority: str | None = None,
    channel: str = Channel.KIOSK.value,
    kiosk: str | None = None,
    now: datetime | None = None,
) -> TicketRow:
    """Issue the next ticket of the day for a service, enforcing hours and the daily limit."""
    now = now or utc_now()
    service = find_service(session, office.id, service_code)
    if channel not in CHANNELS:
        raise InvalidInput("invalid_channel", "Kênh lấy số không hợp lệ: {value}.", value=channel)
    priority_class = parse_priority(priority)
    at_local = local_time(office, now)
    check_issuing_open(service, at_local)
    sequence = next_sequence(session, service, at_local)
    # Raising rolls the transaction back, so a refused number is not consumed.
    check_daily_limit(service, sequence - 1)
    values: dict[str, Any] = {
        "office_id": office.id,
        "issue_service_id": service.id,
        "local_day": at_local.date(),
        "sequence": sequence,
        "number": format_number(service.code, sequence),
        "token": secrets.token_urlsafe(12),
        "priority": priority_class,
        "channel": channel,
        "kiosk": kiosk,
        "status": TicketStatus.WAITING.value,
        "issued_at": now,
        "service_id": service.id,
        "queued_at": now,
        "front": False,
        "target_counter_id": None,
        "counter_id": None,
        "status_changed_at": now,
        "planned": list(service.follow_up),
        "note": None,
        "closed_reason": None,
    }
    ticket = TicketRow(id=insert_ticket(session, values), **values)
    add_step(session, ticket, service.id, now)
    log_change(session, TICKET_ISSUED, office_id=office.id, at=now, ticket=ticket)
    return ticket
