"""The print spool's memory in the database: jobs recorded with their ticket, settled by the
spool's worker, and taken up again when the server starts.

A settled job publishes `print.settled` ({job, kiosk, ticket, status}), so a kiosk still showing
"not printed yet" can say that the slip came out after all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from printer import PrintJob

from ..db import Database, record_event
from ..models import PrintJobRecord
from ..queue.clock import utc_now
from ..queue.slips import slip_still_wanted

log = logging.getLogger(__name__)

PRINT_SETTLED = "print.settled"
PENDING = "pending"
KEEP_SETTLED = timedelta(days=7)  # settled rows kept this long, for questions about a slip


def add_job(
    session: Session,
    *,
    office_id: int,
    key: str,
    kiosk: str,
    kind: str,
    document: dict[str, Any],
    at: datetime,
    ticket_id: int | None = None,
    reprint: bool = False,
) -> None:
    """Record a job to print (in the caller's transaction: with the ticket it prints)."""
    session.add(
        PrintJobRecord(
            office_id=office_id,
            key=key,
            kiosk=kiosk,
            kind=kind,
            ticket_id=ticket_id,
            reprint=reprint,
            document=document,
            state=PENDING,
            sent=False,
            created_at=at,
        )
    )


def pending_jobs(session: Session, kiosk: str) -> list[PrintJobRecord]:
    """The kiosk's jobs still to print, oldest first."""
    return list(
        session.scalars(
            select(PrintJobRecord)
            .where(PrintJobRecord.state == PENDING, PrintJobRecord.kiosk == kiosk)
            .order_by(PrintJobRecord.id)
        )
    )


def prune(session: Session, now: datetime) -> int:
    """Forget settled jobs older than KEEP_SETTLED; returns how many."""
    result = session.execute(
        delete(PrintJobRecord).where(
            PrintJobRecord.state != PENDING, PrintJobRecord.settled_at < now - KEEP_SETTLED
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def wanted_check(db: Database, ticket_id: int, *, reprint: bool) -> Callable[[], bool]:
    """A job's `wanted`: whether its ticket still needs the slip (asked before each attempt)."""

    def wanted() -> bool:
        """Read the ticket's state now (on the spool's thread, in a session of its own)."""
        with db.read_session() as session:
            return slip_still_wanted(session, ticket_id, reprint=reprint)

    return wanted


class DatabaseJournal:
    """A spool's `SpoolJournal` over the print_job table; jobs it does not hold are ignored."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def sending(self, job: PrintJob) -> None:
        """Mark the job as possibly on paper: a restart re-sends it as a reprint."""
        with self.db.write_session() as session:
            session.execute(
                update(PrintJobRecord)
                .where(PrintJobRecord.key == job.key, PrintJobRecord.state == PENDING)
                .values(sent=True)
            )

    def settled(self, job: PrintJob) -> None:
        """Record how the job ended and tell the screens."""
        with self.db.write_session() as session:
            row = session.scalars(
                select(PrintJobRecord).where(
                    PrintJobRecord.key == job.key, PrintJobRecord.state == PENDING
                )
            ).first()
            if row is None:
                return
            row.state = job.state.value
            row.settled_at = utc_now()
            record_event(
                session,
                PRINT_SETTLED,
                row.office_id,
                {"job": row.key, "kiosk": row.kiosk, "ticket": row.ticket_id, "status": row.state},
            )
