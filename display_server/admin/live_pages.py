"""The live dashboard: the page, the JSON it polls every few seconds, and its apology button."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from ..queue.errors import QueueError
from ..reports import live_overview
from .apology import ApologyError, print_apology
from .blueprint import actor, bp, db, now, page
from .i18n import gettext, language
from .ratings import satisfied_score

POLL_SECONDS = 5


def overview() -> dict[str, Any]:
    """The dashboard's data, with whether apology slips can be printed here."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with db().read_session() as session:
        data = live_overview(session, now(), satisfied_score=satisfied_score(app))
    printing = app.extensions.get("luot.printing")
    data["printing"] = bool(printing is not None and printing.kiosks)
    data["kiosks"] = [
        {"id": kiosk.id, "name": kiosk.name}
        for kiosk in (printing.kiosks.values() if printing is not None else [])
        if kiosk.printer
    ]
    return data


@bp.get("/live")
def live() -> str:
    """The dashboard page (drawn by static/admin/live.js from /admin/live.json)."""
    return page(
        "admin/live.html", title="Theo dõi trực tiếp", initial=overview(), poll_seconds=POLL_SECONDS
    )


@bp.get("/live.json")
def live_json() -> Response:
    """The dashboard's data."""
    return jsonify(overview())


@bp.post("/live/apology")
def live_apology() -> tuple[Response, int]:
    """Print an apology slip from the dashboard: {"ticket", "reason", "kiosk"?} (CSRF header)."""
    body = request.get_json(silent=True) or {}
    ticket_id = body.get("ticket")
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, int):
        return jsonify({"error": "missing_field", "message": gettext("Thiếu số phiếu.")}), 422
    kiosk = body.get("kiosk") if isinstance(body.get("kiosk"), str) else None
    lang = "en" if body.get("lang") == "en" else "vi"
    try:
        result = print_apology(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            ticket_id,
            body.get("reason"),
            kiosk or None,
            actor(),
            now(),
            lang,
        )
    except ApologyError as error:
        return jsonify(
            {"error": error.code, "message": gettext(error.message, **error.params)}
        ), error.status
    except QueueError as error:
        return jsonify(
            {"error": error.code, "message": gettext(error.message, **error.params)}
        ), error.status
    result["message"] = gettext(
        "Đã gửi phiếu xin lỗi số {number} tới máy in ki-ốt {kiosk} ({status}).",
        number=result["number"],
        kiosk=result["kiosk"],
        status=gettext(PRINT_STATUS.get(result["print"]["status"], result["print"]["status"])),
    )
    return jsonify(result), 200


PRINT_STATUS = {"printed": "đã in", "pending": "đang chờ máy in", "failed": "in lỗi"}
_ = language  # the dashboard's texts are translated in the template
