"""Devices: pair a kiosk or a counter's rating tablet (a new key, shown once as an address with
its QR code), or revoke one. The rules live in display_server.trust.devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from ..models import Counter, Office
from ..queue.lookups import get_office
from ..screens.qr import qr_svg
from ..trust import devices
from ..trust.models import DeviceKey
from .audit import record
from .blueprint import actor, bp, db, now, page
from .i18n import gettext
from .settings_pages import current_kiosks


@dataclass(frozen=True)
class Choice:
    """The device a pair or revoke form names: a kiosk by id, or the tablet at a counter."""

    kind: str
    kiosk: str = ""
    counter: int = 0


def _when(office: Office, at: datetime) -> str:
    """A moment as the office reads it."""
    return at.astimezone(ZoneInfo(office.timezone)).strftime("%H:%M %d/%m/%Y")


def _key_rows(office: Office, keys: list[DeviceKey]) -> list[dict[str, str]]:
    return [{"source": k.source, "since": _when(office, k.created_at)} for k in keys]


def _kiosk_names() -> dict[str, str]:
    """The kiosk list in force: id → name."""
    return {
        str(item.get("id")): str(item.get("name") or item.get("id"))
        for item in current_kiosks()
        if item.get("id")
    }


def _listing(session: Session) -> dict[str, Any]:
    """Every kiosk (the kiosk list, and any other with a key) and every counter's tablet."""
    office = get_office(session)
    keys = devices.live_keys(session, office.id)
    names = _kiosk_names()
    for key in keys:
        if key.kind == devices.KIOSK:
            names.setdefault(key.name, key.label)
    kiosks = [
        {
            "id": kiosk_id,
            "name": name,
            "keys": _key_rows(
                office, [k for k in keys if k.kind == devices.KIOSK and k.name == kiosk_id]
            ),
        }
        for kiosk_id, name in names.items()
    ]
    counters = session.scalars(
        select(Counter).where(Counter.office_id == office.id).order_by(Counter.number)
    ).all()
    tablets = [
        {
            "number": counter.number,
            "name": counter.name,
            "active": counter.active,
            "keys": _key_rows(
                office, [k for k in keys if k.kind == devices.TABLET and k.counter_id == counter.id]
            ),
        }
        for counter in counters
    ]
    return {"kiosks": kiosks, "tablets": tablets}


@bp.get("/devices")
def devices_list() -> str:
    """Kiosks and rating tablets, with their keys and the pair and revoke buttons."""
    with db().read_session() as session:
        listing = _listing(session)
    return page("admin/devices.html", title="Thiết bị", **listing)


def _posted_choice() -> Choice | None:
    """The device the posted form names, or None (with a message) when it names none."""
    kind = request.form.get("kind")
    if kind == devices.KIOSK:
        kiosk_id = request.form.get("kiosk", "").strip()
        if devices.DEVICE_ID.match(kiosk_id):
            return Choice(kind, kiosk=kiosk_id)
        flash(gettext("Mã ki-ốt chỉ gồm chữ không dấu, số, dấu chấm, gạch."), "error")
        return None
    number = request.form.get("counter", "")
    if kind == devices.TABLET and number.isdigit() and len(number) <= 9:
        return Choice(kind, counter=int(number))
    abort(400)


def _counter(session: Session, office_id: int, number: int) -> Counter:
    counter = session.scalars(
        select(Counter).where(Counter.office_id == office_id, Counter.number == number)
    ).first()
    if counter is None:
        abort(404)
    return counter


@bp.post("/devices/pair")
def devices_pair() -> str | BaseResponse:
    """A new key for a kiosk or a tablet, shown once: its pairing address and QR code."""
    choice = _posted_choice()
    if choice is None:
        return redirect(url_for("admin.devices_list"))
    moment = now()
    with db().write_session() as session:
        office = get_office(session)
        if choice.kind == devices.KIOSK:
            name = _kiosk_names().get(choice.kiosk, choice.kiosk)
            key = devices.pair_kiosk(session, office.id, choice.kiosk, name, moment)
            path, target = f"/kiosk/{quote(choice.kiosk)}", choice.kiosk
        else:
            counter = _counter(session, office.id, choice.counter)
            key = devices.pair_tablet(session, office.id, counter, moment)
            path, target, name = f"/rate/{counter.number}", str(counter.number), counter.name
        record(session, office.id, actor(), "device.pair", f"{choice.kind} {target}", moment)
        # The device's address for this server: the office's public one, else the one in use.
        base = (office.public_url or request.host_url).rstrip("/")
    # The key rides after "#": browsers never send it, so no log or proxy on the way sees it.
    address = f"{base}{path}#pair={key}"
    return page(
        "admin/device_paired.html",
        title="Ghép thiết bị",
        kind=choice.kind,
        name=name,
        address=address,
        qr=Markup(qr_svg(address)),  # noqa: S704  # our own SVG of the address
    )


@bp.post("/devices/revoke")
def devices_revoke() -> BaseResponse:
    """End every key of a kiosk or of a counter's tablets; the device must be paired again."""
    choice = _posted_choice()
    if choice is None:
        return redirect(url_for("admin.devices_list"))
    moment = now()
    with db().write_session() as session:
        office = get_office(session)
        if choice.kind == devices.KIOSK:
            target = choice.kiosk
            ended = devices.revoke_kiosk(session, office.id, choice.kiosk, moment)
        else:
            counter = _counter(session, office.id, choice.counter)
            target = str(counter.number)
            ended = devices.revoke_tablet(session, office.id, counter.id, moment)
        detail = {"keys": ended}
        record(
            session, office.id, actor(), "device.revoke", f"{choice.kind} {target}", moment, detail
        )
    flash(gettext("Đã thu hồi {n} khóa. Thiết bị cần được ghép lại.", n=ended), "success")
    return redirect(url_for("admin.devices_list"))
