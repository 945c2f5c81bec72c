"""Printing an apology slip for a citizen who waited past the service's target ("biết xin lỗi").

`print_apology` records the slip as a print job of the kiosk printer (display_server.printing:
kept until it prints, across restarts), waits briefly for the result, and records the apology
in the event log (kind "ticket.apology", published after commit) and the audit log.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from printer.apology import ApologyContent

from ..db import Database, record_event
from ..models import EventLog, Service, Ticket, TicketStep
from ..printing.slips import APOLOGY, apology_document
from ..queue.clock import local_time
from ..queue.lookups import get_office, get_ticket
from ..reports.live import APOLOGY_EVENT
from .audit import record
from .security import Actor

log = logging.getLogger(__name__)

MAX_REASON = 200


class ApologyError(Exception):
    """Why no slip was printed: an HTTP status, a code and a catalog message with params."""

    def __init__(self, status: int, code: str, message: str, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params


def _slip(
    app: Flask, ticket_id: int, reason: str, lang: str, at: datetime
) -> tuple[ApologyContent, dict[str, Any]]:
    """The slip's content and the facts logged with it."""
    db: Database = app.extensions["luot.db"]
    first = aliased(TicketStep)
    with db.read_session() as session:
        office = get_office(session)
        ticket = get_ticket(session, office, ticket_id)
        called_at, service = session.execute(
            select(first.called_at, Service)
            .select_from(Ticket)
            .join(Service, Service.id == Ticket.issue_service_id)
            .outerjoin(first, and_(first.ticket_id == Ticket.id, first.position == 1))
            .where(Ticket.id == ticket.id)
        ).one()
        waited = round(((called_at or at) - ticket.issued_at).total_seconds() / 60)
        service_name = (service.name_en or service.name) if lang == "en" else service.name
        content = ApologyContent(
            office_name=office.name,
            unit=office.unit,
            number=ticket.number,
            service_name=service_name,
            waited_minutes=waited,
            target_minutes=service.target_wait_minutes,
            reason=reason,
            printed_at=local_time(office, at),
            lang=lang,
        )
        facts = {
            "ticket": ticket.id,
            "number": ticket.number,
            "kiosk": ticket.kiosk,
            "waited_minutes": waited,
            "target_wait_minutes": service.target_wait_minutes,
            "office_id": office.id,
        }
    return content, facts


def check_reason(reason: object) -> str:
    """The reason, trimmed; ApologyError when missing or too long."""
    if not isinstance(reason, str) or not reason.strip():
        raise ApologyError(422, "missing_reason", "Hãy ghi lý do xin lỗi.")
    text = " ".join(reason.split())
    if len(text) > MAX_REASON:
        raise ApologyError(422, "reason_too_long", "Lý do dài quá {max} ký tự.", max=MAX_REASON)
    return text


def print_apology(
    app: Flask,
    ticket_id: int,
    reason: object,
    kiosk: str | None,
    who: Actor,
    at: datetime,
    lang: str = "vi",
) -> dict[str, Any]:
    """Print the slip on the kiosk printer (the ticket's kiosk unless `kiosk` is given)."""
    text = check_reason(reason)
    content, facts = _slip(app, ticket_id, text, lang, at)
    printing = app.extensions.get("luot.printing")
    if printing is not None:
        printing.refresh()  # administration may have changed [printing]
    if printing is None or not printing.kiosks:
        raise ApologyError(
            409,
            "printing_not_configured",
            "Chưa cấu hình máy in tại ki-ốt nên không in được phiếu xin lỗi.",
        )
    kiosk_id = kiosk or facts["kiosk"]
    if kiosk_id is None:
        printers = [k for k in printing.kiosks.values() if k.printer]
        if len(printers) != 1:  # the ticket's own state (409): the caller must name a kiosk
            raise ApologyError(
                409, "missing_kiosk", "Phiếu này không lấy tại ki-ốt; hãy chọn ki-ốt để in."
            )
        kiosk_id = printers[0].id
    target = printing.kiosks.get(kiosk_id)
    if target is None:
        # A kiosk the caller named is a bad field; one the ticket recorded is its state.
        status = 422 if kiosk else 409
        raise ApologyError(status, "unknown_kiosk", "Không có ki-ốt {kiosk}.", kiosk=kiosk_id)
    if target.printer is None:
        raise ApologyError(409, "no_printer", "Ki-ốt {kiosk} không có máy in.", kiosk=kiosk_id)
    spool = printing.spools.get(kiosk_id)
    if spool is None:
        raise ApologyError(
            409,
            "printer_unavailable",
            "Máy in của ki-ốt {kiosk} không dùng được: {reason}",
            kiosk=kiosk_id,
            reason=printing.unavailable.get(kiosk_id, "?"),
        )
    key = f"apology-{ticket_id}-{uuid.uuid4().hex[:8]}"
    status = printing.print_document(
        target,
        key,
        APOLOGY,
        apology_document(content),
        office_id=facts["office_id"],
        at=at,
        ticket_id=ticket_id,
    )
    result = {
        "ticket": facts["ticket"],
        "number": facts["number"],
        "kiosk": kiosk_id,
        "reason": text,
        "waited_minutes": facts["waited_minutes"],
        "target_wait_minutes": facts["target_wait_minutes"],
        "print": {"status": status, "job": key},
    }
    db: Database = app.extensions["luot.db"]
    with db.write_session() as session:
        detail = {
            key: result[key] for key in ("kiosk", "reason", "waited_minutes", "target_wait_minutes")
        }
        detail["print_status"] = status
        session.add(
            EventLog(
                office_id=facts["office_id"],
                at=at,
                kind=APOLOGY_EVENT,
                ticket_id=ticket_id,
                officer_id=who.id,
                detail=detail,
            )
        )
        record(
            session,
            facts["office_id"],
            who,
            "apology.print",
            facts["number"],
            at,
            {"ticket": ticket_id, **detail},
        )
        record_event(session, APOLOGY_EVENT, facts["office_id"], {**result, "by": who.username})
    log.info("apology slip for %s on kiosk %s: %s", facts["number"], kiosk_id, status)
    return result
