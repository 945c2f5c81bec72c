"""Tables of the trust layer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class ThrottleHit(Base):
    """One counted attempt (a failed sign-in, an anonymous ticket) in a bucket, for a key.

    Rows older than their bucket's window are pruned as new ones arrive, so the table holds at
    most what the limits let through in one window.
    """

    __tablename__ = "throttle_hit"
    __table_args__ = (Index("ix_throttle_hit_bucket_key_at", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column()


class AdminSession(Base):
    """One signed-in administration session; the signed cookie names it by a random id.

    Only the id's SHA-256 is stored. Signing out, deactivating the officer or changing their
    password sets `ended_at`, and the cookie stops working whatever copy of it is presented.
    """

    __tablename__ = "admin_session"
    __table_args__ = (Index("ix_admin_session_officer_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class DeviceKey(Base):
    """One secret key of a registered device: a kiosk (by its id) or a counter's rating tablet.

    Only the key's SHA-256 is kept. A key comes from the site file (`source` "site") or from
    pairing in administration ("admin"); once revoked it never counts again.
    """

    __tablename__ = "device_key"
    __table_args__ = (Index("ix_device_key_office_kind_name", "office_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
