"""API routes of administration: GET /api/v1/reports (supervisor token) and
POST /api/v1/tickets/{id}/apology (any officer's token)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from ..api.context import (
    LANGUAGES,
    choice_field,
    get_db,
    json_body,
    now,
    require_auth,
    require_role,
    text_field,
)
from ..api.errors import ApiError, request_language
from ..models import Role
from ..queue.clock import local_time
from ..queue.lookups import get_office
from ..reports import GROUPINGS, ReportError, csv_bytes, parse_grouping, parse_period
from ..reports import xlsx_bytes as make_xlsx
from ..reports.export import CSV_CONTENT_TYPE
from . import reporting
from .apology import ApologyError, print_apology
from .blueprint import api_bp
from .ratings import level_labels
from .security import Actor

FORMATS = ("json", "csv", "xlsx")
PARAMETERS = ("from", "to", "group", "format", "lang")
MAX_APOLOGY = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


@api_bp.get("/reports")
def reports() -> Response:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&group=day|hour|service|counter|officer&format=json|csv|xlsx"""
    with get_db().read_session() as session:
        require_role(session, Role.SUPERVISOR.value, Role.ADMIN.value)
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        raise ApiError(
            422,
            "unknown_parameter",
            "Tham số không được hỗ trợ: {names}.",
            names=", ".join(unknown)[:100],
        )
    kind = request.args.get("format", "json")
    if kind not in FORMATS:
        raise ApiError(
            422,
            "invalid_format",
            "Định dạng phải là một trong: {choices}.",
            choices=", ".join(FORMATS),
        )
    group = request.args.get("group", "day")
    try:
        if group not in GROUPINGS:  # exactly the document's enum: not "Day", not ""
            raise ReportError(
                "invalid_group",
                "Cách nhóm không hợp lệ: {value}. Chọn một trong: {choices}.",
                value=group[:20],
                choices=", ".join(GROUPINGS),
            )
        period = parse_period(request.args.get("from"), request.args.get("to"))
        grouping = parse_grouping(group)
    except ReportError as error:
        raise ApiError(422, error.code, error.message, **error.params) from error
    report = reporting.reports(period, (grouping,))[grouping]
    with get_db().read_session() as session:
        generated = local_time(get_office(session), now())
    name = f"bao-cao-{grouping}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{kind}"
    if kind == "json":
        body = report.to_json()
        body["generated_at"] = generated.isoformat(timespec="seconds")
        return jsonify(body)
    labels = level_labels(_app())
    response = (
        Response(csv_bytes(report, labels), content_type=CSV_CONTENT_TYPE)
        if kind == "csv"
        else Response(make_xlsx(report, labels, generated), mimetype=XLSX)
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api_bp.post("/tickets/<int:ticket_id>/apology")
def apology(ticket_id: int) -> tuple[Response, int]:
    """Print an apology slip: {"reason": "...", "kiosk": "k1"?, "lang": "vi"|"en"?}."""
    body = json_body()
    reason = text_field(body, "reason", required=True, max_length=MAX_APOLOGY) or ""
    kiosk = choice_field(body, "kiosk", kiosk_ids(_app()), code="unknown_kiosk")
    lang = choice_field(body, "lang", LANGUAGES) or request_language()
    with get_db().read_session() as session:
        who = Actor.of(require_auth(session).officer)
    try:
        result = print_apology(_app(), ticket_id, reason, kiosk, who, now(), lang)
    except ApologyError as error:
        raise ApiError(error.status, error.code, error.message, **error.params) from error
    return jsonify(result), 200


def kiosk_ids(app: Any) -> list[str]:
    """The kiosks an apology may print at (none without the printing feature)."""
    printing = app.extensions.get("luot.printing")
    return list(printing.kiosks) if printing is not None else []
