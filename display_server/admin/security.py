"""Sign-in sessions, CSRF tokens, the sign-in throttle and the app's persistent secret key.

A signed-in session holds the officer's id and a stamp of their password hash: changing the
password, deactivating the officer or taking away the role ends every session at its next
request. Every POST under /admin carries the session's CSRF token (form field `csrf_token`
or header X-CSRF-Token).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request, session

from ..models import Officer, Role

SESSION_OFFICER = "luot_officer"
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


def sign_in(officer: Officer) -> None:
    """Start a fresh session for `officer` (a new CSRF token too)."""
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session[SESSION_OFFICER] = officer.id
    session[SESSION_STAMP] = password_stamp(officer)
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    if language:
        session["lang"] = language


def sign_out() -> None:
    """End the session (the language choice stays)."""
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


class SignInThrottle:
    """Refuses sign-ins for a while after repeated failures: per username and address, and per
    address whatever the username (so guessing across many accounts is slowed too)."""

    def __init__(self, per_user: int = 5, per_address: int = 20, window: float = 300.0) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, username: str, address: str) -> bool:
        """Whether a sign-in for `username` from `address` must be refused now."""
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent((username, address), now)) >= self.per_user
                or len(self._recent(("", address), now)) >= self.per_address
            )

    def failed(self, username: str, address: str) -> None:
        """Count a failed sign-in."""
        now = time.monotonic()
        with self._lock:
            self._recent((username, address), now).append(now)
            self._recent(("", address), now).append(now)

    def succeeded(self, username: str, address: str) -> None:
        """Forget the user's failures from this address."""
        with self._lock:
            self._failures.pop((username, address), None)

    @property
    def minutes(self) -> int:
        """The window in whole minutes, for messages."""
        return max(1, int(self.window // 60))
