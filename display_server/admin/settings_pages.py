"""Section settings pages (display, voice, rating, kiosk screen, printing), the kiosk list and
the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from ..kiosk_list import kiosk_entries
from ..models import AuditLog, Officer
from ..queue.lookups import get_office
from ..queue.views import iso
from ..settings import save_section, section
from .audit import record
from .audit_words import action_words, detail_lines
from .blueprint import actor, app_extension, bp, db, now, page
from .formpage import form_page
from .forms import FormInvalid
from .i18n import gettext
from .sections import DEFAULTS, KIOSK_ROWS_EXTRA, SECTIONS, kiosk_fields, level_fields, parse_kiosks

AUDIT_PAGE = 50
KIOSKS_KEY = "kiosks"


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def effective(name: str) -> dict[str, Any]:
    """A section's values in force: defaults, then the site file, then administration's."""
    return {**DEFAULTS.get(name, {}), **section(_app(), name)}


def _audit(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Record which keys of section `name` changed."""
    changed = {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
    with db().write_session() as session:
        record(
            session,
            get_office(session).id,
            actor(),
            "settings.update",
            name,
            now(),
            {"changes": changed},
        )


@bp.route("/settings/<name>", methods=["GET", "POST"])
def settings(name: str) -> tuple[str, int] | BaseResponse:
    """One settings section: checked, then stored with `save_section` and audited."""
    spec = SECTIONS.get(name)
    if spec is None:
        abort(404)
    before = effective(name)
    checked: dict[str, Any] = {}
    response = form_page(
        title=spec.title,
        fields=spec.fields,
        load=lambda s: before,
        save=lambda s, values: checked.update(values),
        parse=spec.parse,
        initial=spec.initial,
        done=url_for("admin.settings", name=name),
        saved_message="Đã lưu cài đặt.",
        template="admin/section_form.html",
        intro=spec.intro,
        section=name,
        level_fields=level_fields() if name == "rating" else (),
    )
    if checked:
        stored = section_saved(name)
        for key, value in checked.items():
            if value is None:
                stored.pop(key, None)
            else:
                stored[key] = value
        save_section(_app(), name, stored, now())
        _audit(name, before, checked)
    return response


def section_saved(name: str) -> dict[str, Any]:
    """What administration saved for `name` before (kept keys this page does not show)."""
    from ..settings import saved_sections

    return dict(saved_sections(_app()).get(name, {}))


def current_kiosks() -> list[dict[str, Any]]:
    """The kiosk list in force: administration's, else the site file's [[kiosks]] (no keys)."""
    return kiosk_entries(_app())


@bp.route("/kiosks", methods=["GET", "POST"])
def kiosks() -> tuple[str, int] | BaseResponse:
    """Kiosks and their printers, with each printer's state when printing is on."""
    items = current_kiosks()
    printing = app_extension("luot.printing")
    printers = {row["kiosk"]: row for row in printing.printers()} if printing else {}
    rows = max(len(items), 0) + KIOSK_ROWS_EXTRA
    if request.method == "POST":
        try:
            new_items = parse_kiosks(request.form)
        except FormInvalid as invalid:
            posted = {key: request.form.get(key, "") for key in request.form}
            return page(
                "admin/kiosks.html",
                title="Ki-ốt và máy in",
                values=posted,
                problems=invalid.problems,
                rows=max(rows, _posted_rows()),
                fields=kiosk_fields(1),
                printers=printers,
                printing_on=printing is not None,
            ), 422
        with db().write_session() as session:
            record(
                session,
                get_office(session).id,
                actor(),
                "settings.update",
                KIOSKS_KEY,
                now(),
                {"changes": {"kiosks": [items, new_items]}},
            )
        save_section(_app(), KIOSKS_KEY, {"items": new_items}, now())
        flash(
            gettext("Đã lưu danh sách ki-ốt. Máy in mới được dùng sau khi khởi động lại máy chủ."),
            "success",
        )
        return redirect(url_for("admin.kiosks"))
    values: dict[str, str] = {}
    for index, item in enumerate(items, start=1):
        for part in ("id", "name", "printer", "profile", "qr"):
            values[f"kiosk_{index}_{part}"] = str(item.get(part) or "")
    return page(
        "admin/kiosks.html",
        title="Ki-ốt và máy in",
        values=values,
        problems={},
        rows=rows,
        fields=kiosk_fields(1),
        printers=printers,
        printing_on=printing is not None,
    ), 200


def _posted_rows() -> int:
    from .sections import kiosk_rows

    return kiosk_rows(request.form)


@bp.get("/audit")
def audit() -> str:
    """The audit log, newest first, 50 entries a page."""
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    action = (request.args.get("action") or "").strip()[:64]
    with db().read_session() as session:
        office_id = get_office(session).id
        query = (
            select(AuditLog, Officer.full_name, Officer.username)
            .outerjoin(Officer, Officer.id == AuditLog.officer_id)
            .where(AuditLog.office_id == office_id)
        )
        if action:
            query = query.where(AuditLog.action == action)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(
            query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .offset((page_number - 1) * AUDIT_PAGE)
            .limit(AUDIT_PAGE)
        ).all()
        actions = sorted(
            session.scalars(
                select(AuditLog.action).where(AuditLog.office_id == office_id).distinct()
            )
        )
        office_row = get_office(session)
        entries = [
            {
                "at": iso(office_row, entry.at),
                "who": name or "—",
                "username": username,
                "action": entry.action,
                "action_words": action_words(entry.action),
                "target": entry.target,
                "lines": detail_lines(entry.action, entry.target, entry.detail or {}),
            }
            for entry, name, username in rows
        ]
    return page(
        "admin/audit.html",
        title="Nhật ký thay đổi",
        entries=entries,
        page_number=page_number,
        pages=max(1, -(-total // AUDIT_PAGE)),
        action=action,
        actions=actions,
        action_words=action_words,
        total=total,
    )
