"""Ticket routes: issue, read, cancel."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify, request

from ..extensions import ticket_issued_hooks, ticket_recording_hooks
from ..models import Channel, Priority, Ticket
from ..queue import cancel_ticket, issue_ticket
from ..queue.lookups import get_ticket, get_ticket_by_token
from ..queue.views import audience_view, ticket_view
from ..trust.clients import client_address
from ..trust.device_requests import request_device
from ..trust.issuing import TooManyTickets, anonymous_limits, issuing_kiosk, spend_anonymous_ticket
from ..trust.settings import security_settings
from . import bp
from .context import (
    LANGUAGES,
    MAX_KIOSK,
    MAX_SERVICE,
    MAX_TOKEN,
    base_url,
    bearer_token,
    choice_field,
    get_db,
    json_body,
    now,
    office,
    require_auth,
    staff_signed_in,
    text_field,
    ticket_answer,
    write_action,
    write_outcome,
)
from .errors import ApiError, error_response

CHANNELS = tuple(c.value for c in Channel)
# The classes, and one spelling people type (the queue maps it to with_infant).
PRIORITY_CHOICES = (*(p.value for p in Priority), "with-infant")


def _admit(session: Any, named_kiosk: str | None, moment: datetime) -> str | None:
    """The paired kiosk issuing this ticket (its id); None for signed-in staff, or for an
    anonymous client within its allowance (TooManyTickets once it has none left)."""
    device = request_device(session)
    if device is not None:
        return issuing_kiosk(device, named_kiosk)
    if bearer_token() is not None:
        require_auth(session)
        return None
    security = security_settings(current_app._get_current_object())  # type: ignore[attr-defined]
    address = client_address(request, security.trusted_proxies)
    limits = anonymous_limits(
        security.anonymous_tickets_per_minute, security.anonymous_tickets_per_day
    )
    spend_anonymous_ticket(session, limits, address, moment)
    return None


def _too_many(refused: TooManyTickets) -> tuple[Response, int]:
    response = error_response(
        429,
        "too_many_requests",
        "Đã lấy quá nhiều số từ máy này. Vui lòng thử lại sau {seconds} giây.",
        seconds=refused.retry_after,
    )
    response.headers["Retry-After"] = str(refused.retry_after)
    return response, 429


@bp.post("/tickets")
def create_ticket() -> tuple[Response, int]:
    """Issue a ticket: {"service": "A", "priority": "elderly", "kiosk": "k1"}.

    A paired kiosk (X-Device-Key) issues at its own kiosk and prints there, without limits;
    signed-in staff issue without limits; anyone else is limited per client address.
    """
    body = json_body()
    service = text_field(body, "service", required=True, max_length=MAX_SERVICE)
    priority = choice_field(body, "priority", PRIORITY_CHOICES)
    named_kiosk = text_field(body, "kiosk", max_length=MAX_KIOSK)
    channel = choice_field(body, "channel", CHANNELS) or Channel.KIOSK.value
    choice_field(body, "lang", LANGUAGES)  # the printing hook reads it
    paired: list[str] = []  # the kiosk the key proved, found inside the transaction
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def action(session: Any) -> dict[str, Any]:
        moment = now()
        kiosk = _admit(session, named_kiosk, moment)
        paired[:] = [kiosk] if kiosk else []
        issued = issue_ticket(
            session,
            office(session),
            service or "",
            priority=priority,
            channel=channel,
            kiosk=kiosk or named_kiosk,  # an unproved name is recorded, nothing more
            now=moment,
        )
        answer = ticket_answer(session, issued)
        for hook in ticket_recording_hooks(app):
            hook(app, session, {**body, "kiosk": kiosk}, answer)
        return answer

    try:
        outcome = write_outcome(action, status=201)
    except TooManyTickets as refused:
        return _too_many(refused)
    if isinstance(outcome, tuple):
        return outcome  # an Idempotency-Key retry: the first answer, hooks not run again
    # The view may be shared with the published event: hooks read it, nobody changes it.
    ticket = outcome
    # Hooks see only a kiosk its key proved: a page elsewhere cannot print at a kiosk.
    hook_body = {**body, "kiosk": paired[0] if paired else None}
    extra: dict[str, Any] = {}
    for hook in ticket_issued_hooks(app):
        try:
            extra.update(hook(app, hook_body, ticket) or {})
        except Exception:
            current_app.logger.exception("ticket-issued hook failed for %s", ticket["number"])
    return jsonify({**ticket, **extra} if extra else ticket), 201


@bp.get("/tickets/<int:ticket_id>")
def read_ticket(ticket_id: int) -> Response:
    """One ticket with its steps, place in line and estimated wait (ids are sequential: its
    token and priority class only for signed-in staff)."""
    with get_db().read_session() as session:
        ticket = get_ticket(session, office(session), ticket_id)
        view = ticket_view(session, ticket, base_url=base_url(), now=now())
        return jsonify(audience_view(view, private=staff_signed_in(session)))


@bp.get("/tickets/token/<token>")
def read_ticket_by_token(token: str) -> Response:
    """The ticket behind a status-page token (the QR code on the printed ticket)."""
    if len(token) > MAX_TOKEN:
        raise ApiError(404, "unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket="?")
    with get_db().read_session() as session:
        ticket = get_ticket_by_token(session, token)
        return jsonify(ticket_view(session, ticket, base_url=base_url(), now=now()))


@bp.post("/tickets/<int:ticket_id>/cancel")
def cancel(ticket_id: int) -> tuple[Response, int]:
    """Withdraw a waiting ticket: by an officer, or by the citizen with the ticket's token."""
    body = json_body(required=False)
    token = text_field(body, "token", max_length=MAX_TOKEN)

    def action(session: Any) -> dict[str, Any]:
        the_office = office(session)
        ticket: Ticket = get_ticket(session, the_office, ticket_id, lock=True)
        officer = None
        if bearer_token() is not None:
            officer = require_auth(session).officer
        elif token is None or not hmac.compare_digest(token.encode(), ticket.token.encode()):
            raise ApiError(
                401,
                "unauthorized",
                "Cần đăng nhập, hoặc mã phiếu đúng, để hủy phiếu.",
            )
        cancel_ticket(session, the_office, ticket, officer, now=now())
        return ticket_answer(session, ticket)

    return write_action(action)
