"""Ticket routes: issue, read, cancel."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from ..extensions import ticket_issued_hooks
from ..models import Channel, Ticket
from ..queue import cancel_ticket, issue_ticket
from ..queue.lookups import get_ticket, get_ticket_by_token
from ..queue.views import ticket_view
from ..trust.clients import client_address
from ..trust.device_requests import request_device
from ..trust.issuing import TooManyTickets, anonymous_limit, issuing_kiosk, spend_anonymous_ticket
from ..trust.settings import security_settings
from . import bp
from .context import (
    base_url,
    bearer_token,
    get_db,
    json_body,
    now,
    office,
    require_auth,
    text_field,
    ticket_answer,
    write_action,
    write_outcome,
)
from .errors import ApiError, error_response


@bp.post("/tickets")
def create_ticket() -> tuple[Response, int]:
    """Issue a ticket: {"service": "A", "priority": "elderly", "kiosk": "k1"}.

    A paired kiosk (X-Device-Key) issues at its own kiosk, prints there, without limits; so
    does signed-in staff (no printing). Anyone else is limited per client address.
    """
    body = json_body()
    service = text_field(body, "service", required=True, max_length=8)
    priority = text_field(body, "priority", max_length=32)
    named_kiosk = text_field(body, "kiosk", max_length=64)
    channel = text_field(body, "channel", max_length=16) or Channel.KIOSK.value
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    security = security_settings(app)
    printing_at: list[str] = []  # the verified kiosk, set inside the transaction

    def action(session: Any) -> dict[str, Any]:
        moment = now()
        kiosk = named_kiosk
        device = request_device(session)
        if device is not None:
            kiosk = issuing_kiosk(device, named_kiosk)
            printing_at.append(kiosk)
        elif bearer_token() is not None:
            require_auth(session)
        else:
            address = client_address(request, security.trusted_proxies)
            limit = anonymous_limit(security.anonymous_tickets_per_minute)
            spend_anonymous_ticket(session, limit, address, moment)
        ticket = issue_ticket(
            session,
            office(session),
            service or "",
            priority=priority,
            channel=channel,
            kiosk=kiosk,
            now=moment,
        )
        return ticket_answer(session, ticket)

    try:
        outcome = write_outcome(action, status=201)
    except TooManyTickets as refused:
        response = error_response(
            429,
            "too_many_requests",
            "Đã lấy quá nhiều số từ máy này. Vui lòng thử lại sau {seconds} giây.",
            seconds=refused.retry_after,
        )
        response.headers["Retry-After"] = str(refused.retry_after)
        return response, 429
    if isinstance(outcome, tuple):
        return outcome  # an Idempotency-Key retry: the first answer, hooks not run again
    # The view may be shared with the published event: hooks read it, nobody changes it.
    ticket = outcome
    # Hooks see the kiosk the key proved, never a claimed one: only a kiosk prints at itself.
    hook_body = {**body, "kiosk": printing_at[0] if printing_at else None}
    extra: dict[str, Any] = {}
    for hook in ticket_issued_hooks(app):
        try:
            extra.update(hook(app, hook_body, ticket) or {})
        except Exception:
            current_app.logger.exception("ticket-issued hook failed for %s", ticket["number"])
    return jsonify({**ticket, **extra} if extra else ticket), 201


@bp.get("/tickets/<int:ticket_id>")
def read_ticket(ticket_id: int) -> Response:
    """One ticket with its steps, place in line and estimated wait."""
    with get_db().read_session() as session:
        ticket = get_ticket(session, office(session), ticket_id)
        return jsonify(ticket_view(session, ticket, base_url=base_url(), now=now()))


@bp.get("/tickets/token/<token>")
def read_ticket_by_token(token: str) -> Response:
    """The ticket behind a status-page token (the QR code on the printed ticket)."""
    if len(token) > 64:
        raise ApiError(404, "unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket="?")
    with get_db().read_session() as session:
        ticket = get_ticket_by_token(session, token)
        return jsonify(ticket_view(session, ticket, base_url=base_url(), now=now()))


@bp.post("/tickets/<int:ticket_id>/cancel")
def cancel(ticket_id: int) -> tuple[Response, int]:
    """Withdraw a waiting ticket: by an officer, or by the citizen with the ticket's token."""
    body = json_body(required=False)
    token = text_field(body, "token", max_length=64)

    def action(session: Any) -> dict[str, Any]:
        the_office = office(session)
        ticket: Ticket = get_ticket(session, the_office, ticket_id, lock=True)
        officer = None
        if bearer_token() is not None:
            officer = require_auth(session).officer
        elif token != ticket.token:
            raise ApiError(
                401,
                "unauthorized",
                "Cần đăng nhập, hoặc mã phiếu đúng, để hủy phiếu.",
            )
        cancel_ticket(session, the_office, ticket, officer, now=now())
        return ticket_answer(session, ticket)

    return write_action(action)
