"""Sign-in cookies, CSRF tokens and the app's persistent secret key.

A signed-in cookie names a server-side session record (session_records.py) and holds a stamp
of the officer's password hash: signing out, changing the password, deactivating the officer
or taking away the role ends the session at its next request. Every POST under /admin
carries the session's CSRF token (form field `csrf_token` or header X-CSRF-Token).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request, session

from ..models import Officer, Role

SESSION_ID = "luot_session"
SESSION_STAMP = "luot_stamp"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
ADMIN_ROLES = (Role.SUPERVISOR.value, Role.ADMIN.value)
SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


@dataclass(frozen=True)
class Actor:
    """The signed-in officer, as the pages and the audit log need them."""

    id: int
    username: str
    full_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Whether the officer holds the admin role (may manage other admins)."""
        return self.role == Role.ADMIN.value

    @classmethod
    def of(cls, officer: Officer) -> Actor:
        """The actor for an officer row."""
        return cls(officer.id, officer.username, officer.full_name, officer.role)


def ensure_secret_key(app: Flask) -> None:
    """Give the app a secret key: the configured one, else LUOT_DATA_DIR/secret_key (made once)."""
    if app.secret_key:
        return
    path = Path(app.config["LUOT_DATA_DIR"]) / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            app.secret_key = key
            return
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    app.secret_key = key


def password_stamp(officer: Officer) -> str:
    """A short digest of the password hash: it changes whenever the password does."""
    return hashlib.sha256(officer.password_hash.encode()).hexdigest()[:16]


def sign_in(officer: Officer, session_id: str) -> None:
    """Start a fresh cookie for `officer`'s new session record (a new CSRF token too)."""
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session[SESSION_ID] = session_id
    session[SESSION_STAMP] = password_stamp(officer)
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    if language:
        session["lang"] = language


def sign_out() -> None:
    """Clear the cookie (the language choice stays); the record is ended by the caller."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    """Whether this request carries the session's CSRF token."""
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return isinstance(expected, str) and hmac.compare_digest(expected.encode(), given.encode())
