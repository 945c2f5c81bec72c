"""The print spool's table: every slip a kiosk printer owes, kept until it prints or is dropped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class PrintJobRecord(Base):
    """One print job: what to print (`document`, drawn again when needed) and how far it got.

    `state` is pending until the printer confirms the slip (printed) or the slip is no longer
    of use (dropped). `sent`: its bytes may already have reached the printer, so a restart
    sends it again marked as a reprint. Rows are written in the transaction that issues the
    ticket, so a ticket the kiosk announced as "will print" survives any restart.
    """

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_state_kiosk", "state", "kiosk", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "ticket" or "apology"
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), default=None)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending")
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column()
    settled_at: Mapped[datetime | None] = mapped_column(default=None)
