"""Attempt counters in the database: one throttle for every server process and every route.

A `Limit` allows `limit` hits per `window` in its bucket for one key (a username, a client
address). Counting reads; recording writes one row in the caller's (short) write transaction,
and prunes the bucket's expired rows so the table stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import ThrottleHit

MAX_KEY = 160


@dataclass(frozen=True)
class Limit:
    """At most `limit` hits per `window` for one key of `bucket`."""

    bucket: str
    limit: int
    window: timedelta

    def hits(self, session: Session, key: str, now: datetime) -> int:
        """How many hits `key` has in the window ending at `now`."""
        return int(
            session.scalar(
                select(func.count(ThrottleHit.id)).where(
                    ThrottleHit.bucket == self.bucket,
                    ThrottleHit.key == key[:MAX_KEY],
                    ThrottleHit.at > now - self.window,
                )
            )
            or 0
        )

    def exceeded(self, session: Session, key: str, now: datetime) -> bool:
        """Whether `key` has used up its hits for now."""
        return self.hits(session, key, now) >= self.limit

    def record(self, session: Session, key: str, now: datetime) -> None:
        """Count one hit for `key` (and drop this bucket's expired hits)."""
        session.execute(
            delete(ThrottleHit).where(
                ThrottleHit.bucket == self.bucket, ThrottleHit.at <= now - self.window
            )
        )
        session.add(ThrottleHit(bucket=self.bucket, key=key[:MAX_KEY], at=now))

    def forget(self, session: Session, key: str) -> None:
        """Clear `key`'s hits (after a successful sign-in, say)."""
        session.execute(
            delete(ThrottleHit).where(
                ThrottleHit.bucket == self.bucket, ThrottleHit.key == key[:MAX_KEY]
            )
        )

    def retry_after(self, session: Session, key: str, now: datetime) -> int:
        """Whole seconds until `key` has a hit to spend again (0 when it has one now)."""
        if not self.exceeded(session, key, now):
            return 0
        oldest_counted = session.scalars(
            select(ThrottleHit.at)
            .where(
                ThrottleHit.bucket == self.bucket,
                ThrottleHit.key == key[:MAX_KEY],
                ThrottleHit.at > now - self.window,
            )
            .order_by(ThrottleHit.at.desc())
            .offset(self.limit - 1)
            .limit(1)
        ).first()
        if oldest_counted is None:
            return 0
        return max(1, int((oldest_counted + self.window - now).total_seconds()) + 1)
