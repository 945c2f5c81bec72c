"""One sign-in throttle for the API and administration, counted in the database.

Failures are limited per username from one client address and per client address whatever
the username (`[security] signin_failures_per_user`, `signin_failures_per_address`, within
`signin_window_minutes`). An attempt is counted before its password is checked, so guesses
sent in parallel cannot overrun a limit, and a right password takes its count back. The slow
password check itself runs with no transaction open (`check_attempt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..auth import Credentials, find_credentials, password_matches
from ..db import Database
from ..queue.records import find_office
from .audit import add_entry
from .models import ThrottleHit
from .settings import security_settings
from .throttle import MAX_KEY, Limit

USER_BUCKET = "signin-user"
ADDRESS_BUCKET = "signin-address"
FAILED = "signin.failed"
LOCKED = "signin.locked"


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the username tried, the client's address, the door (api or
    admin) and the time."""

    username: str
    address: str
    via: str
    at: datetime

    @property
    def user_key(self) -> str:
        """The per-username key: this username from this address."""
        return f"{self.address} {self.username.lower()}"

    def detail(self, **more: object) -> dict[str, object]:
        """What the audit log keeps of the attempt (never the password)."""
        return {"address": self.address, "via": self.via, **more}


class SignInBlocked(Exception):
    """Too many failed sign-ins: refused for `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"sign-in refused for {retry_after} s")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        """The wait in whole minutes (rounded up), for messages."""
        return max(1, -(-self.retry_after // 60))


class SignInRefused(Exception):
    """Unknown username, wrong password or inactive officer (which one is not told)."""


@dataclass(frozen=True)
class SignInThrottle:
    """The two limits every sign-in goes through."""

    per_user: Limit
    per_address: Limit

    def _wait(self, session: Session, attempt: Attempt) -> int:
        """Seconds before the attempt may be tried (0: now)."""
        return max(
            self.per_user.retry_after(session, attempt.user_key, attempt.at),
            self.per_address.retry_after(session, attempt.address, attempt.at),
        )

    def begin(self, db: Database, attempt: Attempt) -> None:
        """Count the attempt before its password is checked; SignInBlocked if a limit is spent."""
        with db.read_session() as session:
            wait = self._wait(session, attempt)  # refusals of a blocked client need no write
        if not wait:
            with db.write_session() as session:
                wait = self._wait(session, attempt)
                if not wait:
                    self.per_user.record(session, attempt.user_key, attempt.at)
                    self.per_address.record(session, attempt.address, attempt.at)
        if wait:
            raise SignInBlocked(wait)

    def failed(self, db: Database, attempt: Attempt) -> None:
        """A wrong password: audit it, and the lock-out it caused, in a short write of its own."""
        minutes = int(self.per_user.window.total_seconds() // 60)
        with db.write_session() as session:
            office_id = find_office(session).id
            add_entry(
                session, office_id, None, FAILED, attempt.username, attempt.at, attempt.detail()
            )
            for scope, limit, key in (
                ("user", self.per_user, attempt.user_key),
                ("address", self.per_address, attempt.address),
            ):
                if limit.hits(session, key, attempt.at) == limit.limit:
                    detail = attempt.detail(scope=scope, minutes=minutes)
                    add_entry(
                        session, office_id, None, LOCKED, attempt.username, attempt.at, detail
                    )

    def succeeded(self, session: Session, attempt: Attempt) -> None:
        """Inside the write that signs in: forget the username's failures from this address and
        take this attempt back from the address's count."""
        self.per_user.forget(session, attempt.user_key)
        counted = session.scalars(
            select(ThrottleHit.id)
            .where(
                ThrottleHit.bucket == ADDRESS_BUCKET,
                ThrottleHit.key == attempt.address[:MAX_KEY],
                ThrottleHit.at == attempt.at,
            )
            .limit(1)
        ).first()
        if counted is not None:
            session.execute(delete(ThrottleHit).where(ThrottleHit.id == counted))

    def release(self, db: Database, attempt: Attempt) -> None:
        """`succeeded` in a write of its own (the password was right, the sign-in failed else)."""
        with db.write_session() as session:
            self.succeeded(session, attempt)


def signin_throttle(app: Flask) -> SignInThrottle:
    """The app's throttle, with the limits of its `[security]` settings."""
    found = app.extensions.get("luot.signin_throttle")
    if found is None:
        settings = security_settings(app)
        window = timedelta(minutes=settings.signin_window_minutes)
        found = app.extensions["luot.signin_throttle"] = SignInThrottle(
            per_user=Limit(USER_BUCKET, settings.signin_failures_per_user, window),
            per_address=Limit(ADDRESS_BUCKET, settings.signin_failures_per_address, window),
        )
    assert isinstance(found, SignInThrottle)
    return found


def check_attempt(
    db: Database, throttle: SignInThrottle, attempt: Attempt, password: str
) -> Credentials:
    """The credentials `password` matches, checked with no transaction open.

    Raises SignInBlocked (nothing checked) or SignInRefused (the failure is counted and
    audited). The caller signs in within a write that runs `auth.confirm_officer` (the
    officer may have changed meanwhile) and `throttle.succeeded`.
    """
    throttle.begin(db, attempt)
    with db.read_session() as session:
        credentials = find_credentials(session, find_office(session).id, attempt.username)
    # An unknown username is checked against a dummy hash: the same time, so timing tells nothing.
    if not password_matches(credentials, password) or credentials is None:
        throttle.failed(db, attempt)
        raise SignInRefused
    return credentials
