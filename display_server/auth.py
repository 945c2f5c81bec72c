"""Officer passwords and bearer tokens; tokens are stored hashed so a database leak reveals none."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import AuthToken, Counter, Office, Officer

TOKEN_LIFETIME = timedelta(hours=14)
# Compared against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("luot-dummy-password")


def hash_password(password: str) -> str:
    """A salted, slow hash of `password`."""
    return generate_password_hash(password)


def verify_officer(
    session: Session, office: Office, username: str, password: str
) -> Officer | None:
    """The active officer with these credentials, or None."""
    officer = session.scalars(
        select(Officer).where(Officer.office_id == office.id, Officer.username == username)
    ).first()
    if officer is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(officer.password_hash, password) or not officer.active:
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


def resolve_token(session: Session, raw: str, now: datetime) -> AuthToken | None:
    """The live token for `raw`, or None when unknown, revoked, expired or its officer inactive."""
    token = session.scalars(select(AuthToken).where(AuthToken.token_hash == _digest(raw))).first()
    if token is None or token.revoked or token.expires_at <= now or not token.officer.active:
        return None
    return token


def revoke_token(session: Session, raw: str) -> None:
    """Make `raw` unusable."""
    session.execute(
        update(AuthToken).where(AuthToken.token_hash == _digest(raw)).values(revoked=True)
    )
