"""Officer passwords and bearer tokens; tokens are stored hashed so a database leak reveals none."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import AuthToken, Counter, Officer
from .queue.records import OfficerRow
from .queue.statements import first

TOKEN_LIFETIME = timedelta(hours=14)
# Compared against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("luot-dummy-password")


def hash_password(password: str) -> str:
    """A salted, slow hash of `password`."""
    return generate_password_hash(password)


@dataclass(frozen=True, slots=True)
class Credentials:
    """An officer's stored password hash, read before the (slow) check and compared after it."""

    officer_id: int
    password_hash: str
    active: bool
    must_change: bool = False  # still the site file's first password


def find_credentials(session: Session, office_id: int, username: str) -> Credentials | None:
    """The credentials stored for `username`, or None (a quick read: no hashing here)."""
    row = session.execute(
        select(
            Officer.id, Officer.password_hash, Officer.active, Officer.password_must_change
        ).where(Officer.office_id == office_id, Officer.username == username)
    ).first()
    return Credentials(row[0], row[1], row[2], bool(row[3])) if row is not None else None


MIN_PASSWORD = 8
CHANGE_FIRST_MESSAGE = (
    "Mật khẩu này là mật khẩu ban đầu trong tệp cấu hình; hãy đặt mật khẩu mới của riêng bạn."
)
TOO_SHORT_MESSAGE = "Mật khẩu mới cần ít nhất {min} ký tự."
SAME_AS_FIRST_MESSAGE = "Mật khẩu mới phải khác mật khẩu ban đầu."


def new_password_problem(current: str, new: str) -> tuple[str, dict[str, int]] | None:
    """Why `new` cannot replace `current` (a message and its values), or None if it can."""
    if len(new) < MIN_PASSWORD:
        return TOO_SHORT_MESSAGE, {"min": MIN_PASSWORD}
    if new == current:
        return SAME_AS_FIRST_MESSAGE, {}
    return None


def set_own_password(officer: Officer, new_hash: str) -> None:
    """The officer's own password replaces the first one (hashed beforehand, outside any
    transaction: hashing is slow)."""
    officer.password_hash = new_hash
    officer.password_must_change = False


def password_matches(credentials: Credentials | None, password: str) -> bool:
    """Whether `password` is the active officer's. Slow by design: never call it inside a
    transaction. An unknown username costs the same time, so timing tells nothing."""
    if credentials is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(credentials.password_hash, password) and credentials.active


def confirm_officer(session: Session, credentials: Credentials) -> Officer | None:
    """Inside the write that signs in: the officer, if still active with the checked password."""
    officer = session.get(Officer, credentials.officer_id)
    if officer is None or not officer.active or officer.password_hash != credentials.password_hash:
        return None
    return officer


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, officer: Officer, counter: Counter | None, now: datetime) -> str:
    """A new bearer token for the officer, tied to the counter they signed in at."""
    raw = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            token_hash=_digest(raw),
            officer_id=officer.id,
            counter_id=counter.id if counter else None,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    return raw


def _live(revoked: bool, expires_at: datetime, officer_active: bool, now: datetime) -> bool:
    """A token counts while it is not revoked, not expired and its officer is active."""
    return not revoked and expires_at > now and officer_active


def resolve_token(session: Session, raw: str, now: datetime) -> AuthToken | None:
    """The live token for `raw`, or None when unknown, revoked, expired or its officer inactive."""
    token = session.scalars(select(AuthToken).where(AuthToken.token_hash == _digest(raw))).first()
    if token is None or not _live(token.revoked, token.expires_at, token.officer.active, now):
        return None
    return token


@dataclass(frozen=True, slots=True)
class Caller:
    """The officer behind a live token and the counter it was issued for."""

    officer: OfficerRow
    counter_id: int | None


_TOKEN: Table = AuthToken.__table__  # type: ignore[assignment]
_OFFICER: Table = Officer.__table__  # type: ignore[assignment]
_CALLER = (
    select(
        _TOKEN.c.counter_id,
        _TOKEN.c.expires_at,
        _TOKEN.c.revoked,
        _OFFICER.c.id,
        _OFFICER.c.username,
        _OFFICER.c.full_name,
        _OFFICER.c.role,
        _OFFICER.c.active,
    )
    .join(_OFFICER, _OFFICER.c.id == _TOKEN.c.officer_id)
    .where(_TOKEN.c.token_hash == bindparam("digest"))
)


def resolve_caller(session: Session, raw: str, now: datetime) -> Caller | None:
    """`resolve_token` in one prebuilt statement, for the routes every click goes through."""
    row = first(session, _CALLER, {"digest": _digest(raw)})
    if row is None:
        return None
    counter_id, expires_at, revoked, officer_id, username, full_name, role, active = row
    if not _live(revoked, expires_at, active, now):
        return None
    return Caller(OfficerRow(officer_id, username, full_name, role), counter_id)


def revoke_token(session: Session, raw: str) -> None:
    """Make `raw` unusable."""
    session.execute(
        update(AuthToken).where(AuthToken.token_hash == _digest(raw)).values(revoked=True)
    )
