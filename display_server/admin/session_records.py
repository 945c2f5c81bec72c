"""Administration sessions kept on the server: the signed cookie only names one.

A cookie is a copy anyone may keep; what makes it work is a live AdminSession row (not
ended, not expired, its officer active). Signing out, deactivating an officer or changing
their password ends rows, so every copy of those cookies stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import Officer
from ..trust.models import AdminSession


def _digest(raw: str) -> str:
    """What the table stores of a session id: a database copy opens no session."""
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(session: Session, officer_id: int, now: datetime, lifetime: timedelta) -> str:
    """A new session for the officer, lasting `lifetime`; returns the id for the cookie.

    Expired rows go first, so the table holds only sessions that could still be used.
    """
    session.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    raw = secrets.token_urlsafe(32)
    session.add(
        AdminSession(
            id_hash=_digest(raw), officer_id=officer_id, created_at=now, expires_at=now + lifetime
        )
    )
    return raw


def live_officer(session: Session, raw: str, now: datetime) -> Officer | None:
    """The active officer of the session `raw`, if it is neither ended nor expired."""
    return session.scalars(
        select(Officer)
        .join(AdminSession, AdminSession.officer_id == Officer.id)
        .where(
            AdminSession.id_hash == _digest(raw),
            AdminSession.ended_at.is_(None),
            AdminSession.expires_at > now,
            Officer.active.is_(True),
        )
    ).first()


def end_session(session: Session, raw: str, now: datetime) -> None:
    """End the session `raw` (signing out)."""
    session.execute(
        update(AdminSession)
        .where(AdminSession.id_hash == _digest(raw), AdminSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_officer_sessions(session: Session, officer_id: int, now: datetime) -> None:
    """End every session of the officer (deactivated, or a new password)."""
    session.execute(
        update(AdminSession)
        .where(AdminSession.officer_id == officer_id, AdminSession.ended_at.is_(None))
        .values(ended_at=now)
    )
