"""Changes made in administration: office, services, counters, officers — each with its audit entry.

Functions take the session of one write transaction, the office, the acting officer and the
parsed form values; they raise `FormInvalid` for what only the database can tell (a code or a
number already used, a rule on roles) so that nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..auth import hash_password
from ..models import AuthToken, Counter, CounterService, Office, Officer, Role, Service
from .audit import changes, record
from .forms import FormInvalid, Problem
from .security import Actor
from .session_records import end_officer_sessions

MIN_PASSWORD = 8


def update_office(
    session: Session, office: Office, actor: Actor, values: dict[str, Any], now: datetime
) -> dict[str, list[Any]]:
    """Office details and the priority policy."""
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FormInvalid(
            {
                "timezone": Problem(
                    "Múi giờ không hợp lệ: {value}. Ví dụ: Asia/Ho_Chi_Minh.",
                    {"value": values["timezone"]},
                )
            }
        ) from exc
    values = {**values, "public_url": values.get("public_url") or None}
    changed = changes(office, values)
    if changed:
        record(session, office.id, actor, "office.update", office.name, now, {"changes": changed})
    return changed


def _services(session: Session, office: Office) -> dict[str, Service]:
    rows = session.scalars(select(Service).where(Service.office_id == office.id))
    return {service.code: service for service in rows}


def _service_rules(
    session: Session, office: Office, values: dict[str, Any], service: Service | None
) -> dict[str, Any]:
    problems: dict[str, Problem] = {}
    code = values["code"].upper()
    known = _services(session, office)
    if code in known and known[code] is not service:
        problems["code"] = Problem("Mã dịch vụ {code} đã được dùng.", {"code": code})
    start, end = values.get("issue_start"), values.get("issue_end")
    if start is not None and end is not None and start >= end:
        problems["issue_end"] = Problem("Giờ kết thúc lấy số phải sau giờ bắt đầu.")
    follow = [c.strip().upper() for c in (values.get("follow_up") or "").split(",") if c.strip()]
    unknown = [c for c in follow if c not in known or c == code]
    if unknown:
        problems["follow_up"] = Problem(
            "Dịch vụ liên thông không hợp lệ: {codes}.", {"codes": ", ".join(unknown)}
        )
    if problems:
        raise FormInvalid(problems)
    return {
        **values,
        "code": code,
        "follow_up": follow,
        "sort_order": values.get("sort_order") or 0,
    }


def save_service(
    session: Session,
    office: Office,
    actor: Actor,
    values: dict[str, Any],
    now: datetime,
    service: Service | None = None,
) -> Service:
    """Create a service, or change one."""
    values = _service_rules(session, office, values, service)
    if service is None:
        service = Service(office_id=office.id, **values)
        session.add(service)
        session.flush()
        record(session, office.id, actor, "service.create", service.code, now, {"values": values})
        return service
    changed = changes(service, values)
    if changed:
        record(session, office.id, actor, "service.update", service.code, now, {"changes": changed})
    return service


def save_counter(
    session: Session,
    office: Office,
    actor: Actor,
    values: dict[str, Any],
    ranks: dict[int, int],
    now: datetime,
    counter: Counter | None = None,
) -> Counter:
    """Create or change a counter; `ranks` maps service id → order (1 = first choice)."""
    taken = session.scalars(
        select(Counter).where(Counter.office_id == office.id, Counter.number == values["number"])
    ).first()
    if taken is not None and taken is not counter:
        raise FormInvalid(
            {"number": Problem("Số quầy {number} đã có.", {"number": values["number"]})}
        )
    services = {s.id: s for s in _services(session, office).values()}
    wanted = [
        services[sid]
        for sid, _ in sorted(ranks.items(), key=lambda kv: (kv[1], kv[0]))
        if sid in services
    ]
    created = counter is None
    if counter is None:
        counter = Counter(office_id=office.id, **values)
        session.add(counter)
        session.flush()
        changed: dict[str, list[Any]] = {}
    else:
        changed = changes(counter, values)
    before = [link.service.code for link in counter.service_links]
    links: dict[int, CounterService] = {link.service_id: link for link in counter.service_links}
    for link in list(counter.service_links):
        if link.service_id not in {s.id for s in wanted}:
            counter.service_links.remove(link)
    for rank, service in enumerate(wanted):
        found = links.get(service.id)
        if found is None:
            counter.service_links.append(CounterService(service_id=service.id, rank=rank))
        else:
            found.rank = rank
    after = [service.code for service in wanted]
    if before != after:
        changed["services"] = [before, after]
    if created:
        record(
            session,
            office.id,
            actor,
            "counter.create",
            f"{counter.number}",
            now,
            {"values": {**values, "services": after}},
        )
    elif changed:
        record(
            session,
            office.id,
            actor,
            "counter.update",
            f"{counter.number}",
            now,
            {"changes": changed},
        )
    return counter


def with_password_hash(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values with the new password checked and replaced by its hash.

    Hashing is slow by design: call this before the write transaction, never inside it.
    """
    password = values.get("password") or ""
    if len(password) < MIN_PASSWORD:
        raise FormInvalid(
            {"password": Problem("Mật khẩu cần ít nhất {min} ký tự.", {"min": MIN_PASSWORD})}
        )
    if password != values.get("password_confirm"):
        raise FormInvalid({"password_confirm": Problem("Hai lần nhập mật khẩu không khớp.")})
    kept = {k: v for k, v in values.items() if k not in ("password", "password_confirm")}
    return {**kept, "password_hash": hash_password(password)}


def _role_rules(actor: Actor, officer: Officer | None, values: dict[str, Any]) -> None:
    """Only an admin hands out or takes away the admin role; nobody locks themselves out."""
    touching_admin = values.get("role") == Role.ADMIN.value or (
        officer is not None and officer.role == Role.ADMIN.value
    )
    if touching_admin and not actor.is_admin:
        raise FormInvalid(
            {"role": Problem("Chỉ quản trị viên mới được tạo hoặc sửa tài khoản quản trị viên.")}
        )
    if officer is not None and officer.id == actor.id:
        if not values.get("active", True):
            raise FormInvalid({"active": Problem("Bạn không thể tự khóa tài khoản của mình.")})
        if values.get("role") not in (Role.SUPERVISOR.value, Role.ADMIN.value):
            raise FormInvalid({"role": Problem("Bạn không thể tự bỏ quyền quản lý của mình.")})


def create_officer(
    session: Session, office: Office, actor: Actor, values: dict[str, Any], now: datetime
) -> Officer:
    """A new officer with a password (`values["password_hash"]`: see `with_password_hash`)."""
    _role_rules(actor, None, values)
    username = values["username"].lower()
    exists = session.scalars(
        select(Officer).where(Officer.office_id == office.id, Officer.username == username)
    ).first()
    if exists is not None:
        raise FormInvalid(
            {"username": Problem("Tên đăng nhập {username} đã có.", {"username": username})}
        )
    officer = Officer(
        office_id=office.id,
        username=username,
        full_name=values["full_name"],
        role=values["role"],
        active=values["active"],
        password_hash=values["password_hash"],
    )
    session.add(officer)
    session.flush()
    record(
        session,
        office.id,
        actor,
        "officer.create",
        username,
        now,
        {
            "values": {
                "full_name": officer.full_name,
                "role": officer.role,
                "active": officer.active,
            }
        },
    )
    return officer


def _sign_out_everywhere(session: Session, officer: Officer, now: datetime) -> None:
    """End the officer's API tokens and administration sessions."""
    session.execute(
        update(AuthToken).where(AuthToken.officer_id == officer.id).values(revoked=True)
    )
    end_officer_sessions(session, officer.id, now)


def update_officer(
    session: Session,
    office: Office,
    actor: Actor,
    officer: Officer,
    values: dict[str, Any],
    now: datetime,
) -> dict[str, list[Any]]:
    """Name, role, active; deactivating signs the officer out everywhere."""
    _role_rules(actor, officer, values)
    changed = changes(officer, values)
    if "active" in changed and not officer.active:
        _sign_out_everywhere(session, officer, now)
    if changed:
        record(
            session, office.id, actor, "officer.update", officer.username, now, {"changes": changed}
        )
    return changed


def reset_password(
    session: Session,
    office: Office,
    actor: Actor,
    officer: Officer,
    values: dict[str, Any],
    now: datetime,
) -> None:
    """Set the new password's hash (`with_password_hash`); the officer's API tokens and
    administration sessions stop working."""
    _role_rules(actor, officer, {"role": officer.role, "active": officer.active})
    officer.password_hash = values["password_hash"]
    _sign_out_everywhere(session, officer, now)
    record(session, office.id, actor, "officer.password_reset", officer.username, now)
