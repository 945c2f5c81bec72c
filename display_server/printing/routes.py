"""The printing routes (`GET /api/v1/printers`, `POST /api/v1/tickets/{id}/print`) and the hooks
that record and print a kiosk's ticket when it is issued."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.orm import Session

from ..api.context import (
    LANGUAGES,
    MAX_TOKEN,
    base_url,
    bearer_token,
    choice_field,
    get_db,
    json_body,
    now,
    office,
    require_auth,
    text_field,
)
from ..api.errors import ApiError, request_language
from ..queue.lookups import get_ticket
from ..queue.views import ticket_view
from ..trust.device_requests import request_device
from ..trust.issuing import issuing_kiosk
from .extension import PrintingExtension

EXTENSION_KEY = "luot.printing"

blueprint = Blueprint("printing", __name__, url_prefix="/api/v1")


def extension_of(app: Flask) -> PrintingExtension:
    """The app's printing extension."""
    extension: PrintingExtension = app.extensions[EXTENSION_KEY]
    return extension


def language(body: Mapping[str, Any]) -> str:
    """The slip's language: the body's "lang", else the request's."""
    wanted = body.get("lang")
    return wanted if wanted in ("vi", "en") else request_language()


def _kiosk_of(body: Mapping[str, Any]) -> str | None:
    """The kiosk the hooks were told (only one its key proved), or None."""
    kiosk = body.get("kiosk")
    return str(kiosk) if kiosk not in (None, "") else None


def on_ticket_recorded(
    app: Flask, session: Session, body: dict[str, Any], ticket: dict[str, Any]
) -> None:
    """Inside the issuing transaction: the slip becomes a job, committed with the ticket."""
    extension_of(app).record_ticket(
        session, office(session).id, ticket, _kiosk_of(body), language(body), now()
    )


def on_ticket_issued(app: Flask, body: dict[str, Any], ticket: dict[str, Any]) -> dict[str, Any]:
    """After a ticket commits: print it at the body's "kiosk"; the 201 gets a "print" block."""
    return {"print": extension_of(app).print_ticket(ticket, _kiosk_of(body), language(body))}


@blueprint.get("/printers")
def list_printers() -> Response:
    """Each kiosk printer: kiosk, url, state, last error, pending jobs, last print time."""
    with get_db().read_session() as session:
        the_office = office(session)
    return jsonify({"printers": extension_of(current_app).printers(the_office)})


@blueprint.post("/tickets/<int:ticket_id>/print")
def reprint(ticket_id: int) -> Response:
    """Print a ticket again, marked as a reprint: body {"kiosk": id} (default: the kiosk that
    issued it).

    A signed-in officer may reprint at any kiosk; otherwise the ticket's token and the printing
    kiosk's own device key are both needed (a page elsewhere cannot run a kiosk's printer).
    """
    body = json_body(required=False)
    extension = extension_of(current_app)
    kiosk = choice_field(body, "kiosk", extension.kiosks, code="unknown_kiosk")
    token = text_field(body, "token", max_length=MAX_TOKEN)
    choice_field(body, "lang", LANGUAGES)
    with get_db().read_session() as session:
        row = get_ticket(session, office(session), ticket_id)
        kiosk_id = kiosk or row.kiosk
        if bearer_token() is not None:
            require_auth(session)
        elif token is None or not hmac.compare_digest(token.encode(), row.token.encode()):
            raise ApiError(
                401, "unauthorized", "Cần đăng nhập, hoặc mã phiếu đúng, để in lại phiếu."
            )
        else:
            device = request_device(session)
            if device is None:
                raise ApiError(
                    403,
                    "kiosk_key_required",
                    "Chỉ in lại được tại ki-ốt đã ghép, hoặc nhờ cán bộ in lại.",
                )
            kiosk_id = issuing_kiosk(device, kiosk)  # prints at the kiosk the key belongs to
        ticket = ticket_view(session, row, base_url=base_url(), now=now())
    # No kiosk named and none the ticket's own: its state (409), not a malformed request.
    if kiosk_id is None:
        raise ApiError(409, "missing_kiosk", "Phiếu này không lấy tại ki-ốt; hãy chọn ki-ốt để in.")
    if kiosk_id not in extension.kiosks:
        raise ApiError(409, "unknown_kiosk", "Không có ki-ốt {kiosk}.", kiosk=kiosk_id)
    if extension.kiosks[kiosk_id].printer is None:
        raise ApiError(409, "no_printer", "Ki-ốt {kiosk} không có máy in.", kiosk=kiosk_id)
    lang = language(body)
    with get_db().write_session() as session:
        key = extension.record_ticket(
            session, office(session).id, ticket, kiosk_id, lang, now(), reprint=True
        )
    block = extension.print_ticket(ticket, kiosk_id, lang, reprint=True, key=key)
    return jsonify({"ticket": ticket_id, "number": ticket["number"], "print": block})
