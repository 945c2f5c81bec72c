"""The site file (TOML): provisions the office, services, counters and officers idempotently.

Rows are matched by natural key (service code, counter number, username) and updated in place,
never duplicated; passwords are hashed on import and rehashed only when they change.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .auth import hash_password
from .models import Counter, CounterService, Office, Officer, OfficeSetting, Role, Service
from .queue.day_end import parse_at_day_end
from .trust.devices import DeviceKeyError, provision_devices, site_devices

CODE = re.compile(r"^[A-Z]{1,3}$")


class SiteError(ValueError):
    """The site file cannot be used; the message says where and why."""


def load_site(path: Path) -> dict[str, Any]:
    """Parse and check a site file."""
    try:
        with path.open("rb") as handle:
            site = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SiteError(f"site file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(f"{path}: not valid TOML: {exc}") from exc
    check_site(site)
    return site


def _hhmm(value: Any, where: str) -> time | None:
    if value in (None, ""):
        return None
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise SiteError(f'{where}: expected a time like "07:30", got {value!r}') from exc


def check_site(site: dict[str, Any]) -> None:
    """Raise SiteError for the first thing in `site` that cannot be provisioned."""
    office = site.get("office", {})
    if not isinstance(office, dict) or not office.get("name"):
        raise SiteError("[office] needs a name")
    try:
        ZoneInfo(office.get("timezone", "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteError(f"[office] unknown timezone {office.get('timezone')!r}") from exc
    if office.get("priority_policy", "strict") not in ("strict", "ratio"):
        raise SiteError('[office] priority_policy must be "strict" or "ratio"')
    queue = site.get("queue", {})
    if not isinstance(queue, dict):
        raise SiteError("[queue] must be a table")
    try:
        parse_at_day_end(queue.get("at_day_end"))
    except ValueError as exc:
        raise SiteError(f"[queue] {exc}") from exc
    codes: set[str] = set()
    for i, service in enumerate(site.get("services", [])):
        where = f"[[services]] #{i + 1}"
        code = str(service.get("code", ""))
        if not CODE.match(code):
            raise SiteError(f"{where}: code must be 1–3 capital letters, got {code!r}")
        if code in codes:
            raise SiteError(f"{where}: code {code} appears twice")
        if not service.get("name"):
            raise SiteError(f"{where}: needs a name")
        _hhmm(service.get("issue_start"), where)
        _hhmm(service.get("issue_end"), where)
        codes.add(code)
    for i, service in enumerate(site.get("services", [])):
        for follow in service.get("follow_up", []):
            if follow not in codes:
                raise SiteError(f"[[services]] #{i + 1}: follow_up names unknown service {follow}")
    numbers: set[int] = set()
    for i, counter in enumerate(site.get("counters", [])):
        where = f"[[counters]] #{i + 1}"
        number = counter.get("number")
        if not isinstance(number, int) or number < 1 or number in numbers:
            raise SiteError(f"{where}: number must be a unique whole number ≥ 1")
        numbers.add(number)
        for code in counter.get("services", []):
            if code not in codes:
                raise SiteError(f"{where}: serves unknown service {code}")
    roles = {r.value for r in Role}
    for i, officer in enumerate(site.get("officers", [])):
        where = f"[[officers]] #{i + 1}"
        if not officer.get("username") or not officer.get("full_name"):
            raise SiteError(f"{where}: needs username and full_name")
        if not officer.get("password") and not officer.get("password_hash"):
            raise SiteError(f"{where}: needs password (hashed on import) or password_hash")
        if officer.get("role", "officer") not in roles:
            raise SiteError(f"{where}: role must be one of {', '.join(sorted(roles))}")
    try:
        site_devices(site)
    except DeviceKeyError as exc:
        raise SiteError(str(exc)) from exc


def ensure_office(session: Session) -> Office:
    """The office, created with placeholder details on a blank database."""
    office = session.scalars(select(Office).order_by(Office.id).limit(1)).first()
    if office is None:
        office = Office(name="Lượt", unit="", timezone="Asia/Ho_Chi_Minh")
        session.add(office)
        session.flush()
    return office


def _link_services(counter: Counter, wanted: list[Service]) -> None:
    """Set the counter's services and their order without re-creating unchanged links."""
    links = {link.service_id: link for link in counter.service_links}
    keep = {service.id for service in wanted}
    for link in list(counter.service_links):
        if link.service_id not in keep:
            counter.service_links.remove(link)
    for rank, service in enumerate(wanted):
        existing = links.get(service.id)
        if existing is None:
            counter.service_links.append(CounterService(service_id=service.id, rank=rank))
        else:
            existing.rank = rank


SITE_APPLIED = "site_file_applied"


def provision_if_changed(session: Session, site: dict[str, Any], now: datetime) -> bool:
    """Apply the site file only if it changed since it was last applied.

    Administration edits the same rows; re-applying an unchanged file on every start would
    silently undo them. Editing the file (or a new file) applies it again.
    """
    digest = hashlib.sha256(
        json.dumps(site, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    office = ensure_office(session)
    applied = session.get(OfficeSetting, (office.id, SITE_APPLIED))
    if applied is not None and applied.value.get("sha256") == digest:
        return False
    provision(session, site)
    try:
        provision_devices(session, office.id, site, now)
    except DeviceKeyError as exc:
        raise SiteError(str(exc)) from exc
    if applied is None:
        session.add(
            OfficeSetting(
                office_id=office.id, key=SITE_APPLIED, value={"sha256": digest}, updated_at=now
            )
        )
    else:
        applied.value = {"sha256": digest}
        applied.updated_at = now
    return True


def provision(session: Session, site: dict[str, Any]) -> Office:
    """Make the database match the site file: create what is missing, update what differs."""
    check_site(site)
    office = ensure_office(session)
    spec = site["office"]
    office.name = spec["name"]
    office.unit = spec.get("unit", "")
    office.timezone = spec.get("timezone", "Asia/Ho_Chi_Minh")
    office.priority_policy = spec.get("priority_policy", "strict")
    office.priority_ratio = int(spec.get("priority_ratio", 3))
    office.no_show_grace_minutes = int(spec.get("no_show_grace_minutes", 15))
    office.public_url = spec.get("public_url") or None

    services: dict[str, Service] = {
        s.code: s for s in session.scalars(select(Service).where(Service.office_id == office.id))
    }
    for order, item in enumerate(site.get("services", [])):
        service = services.get(item["code"])
        if service is None:
            service = Service(office_id=office.id, code=item["code"])
            session.add(service)
            services[item["code"]] = service
        service.name = item["name"]
        service.name_en = item.get("name_en", "")
        service.active = bool(item.get("active", True))
        service.issue_start = _hhmm(item.get("issue_start"), "service")
        service.issue_end = _hhmm(item.get("issue_end"), "service")
        service.daily_limit = item.get("daily_limit")
        service.target_wait_minutes = item.get("target_wait_minutes")
        service.sort_order = order
        service.follow_up = list(item.get("follow_up", []))
    session.flush()

    counters = {
        c.number: c for c in session.scalars(select(Counter).where(Counter.office_id == office.id))
    }
    for item in site.get("counters", []):
        counter = counters.get(item["number"])
        if counter is None:
            counter = Counter(office_id=office.id, number=item["number"])
            session.add(counter)
        counter.name = item.get("name", f"Quầy {item['number']}")
        counter.active = bool(item.get("active", True))
        _link_services(counter, [services[code] for code in item.get("services", [])])
    officers = {
        o.username: o
        for o in session.scalars(select(Officer).where(Officer.office_id == office.id))
    }
    for item in site.get("officers", []):
        officer = officers.get(item["username"])
        if officer is None:
            officer = Officer(office_id=office.id, username=item["username"], password_hash="")
            session.add(officer)
        officer.full_name = item["full_name"]
        officer.role = item.get("role", Role.OFFICER.value)
        officer.active = bool(item.get("active", True))
        if item.get("password_hash"):
            officer.password_hash = item["password_hash"]
            officer.password_must_change = False
        elif not officer.password_hash or (
            officer.password_must_change
            and not check_password_hash(officer.password_hash, item["password"])
        ):
            # A plain password is a first one, changed at the first sign-in; once the officer
            # has chosen their own, the site file's never overwrites it.
            officer.password_hash = hash_password(item["password"])
            officer.password_must_change = True
    session.flush()
    return office
