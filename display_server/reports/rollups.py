"""Per-day rollups of closed days, persisted in `report_day`, so a year reads rows, not tickets.

A report over a period takes each closed day (before the office's today) from its rollup when
the rollup is still valid, and scans the tickets of every other day: today, days never rolled
up, and days whose rollup went stale. A rollup is stale when an event-log entry newer than its
event mark, or a rating newer than its rating mark, concerns a ticket of its day, or when the
office's time zone (which places tickets in hours) or the payload format changed.

This rests on what the data version of the report cache rests on: every change to a ticket or
a step writes the event log with the ticket's id in the same transaction, and nothing deletes
tickets, steps, ratings or log entries. Marks must also be *safe*: every id up to a mark must be
committed by the time the day is scanned. SQLite gives that for free (one writer at a time, ids
in commit order, and the marks are read in the scan's own snapshot); on PostgreSQL sequence ids
can commit out of order, so the marks are read under a short SHARE lock on the event log and the
ratings, which waits for no one (NOWAIT): if a writer holds them, nothing is stored this time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from ..models import EventLog, Office, Rating, ReportDay, Ticket, TicketStep
from .material import DayMaterial, Kind
from .periods import Period
from .scans import scan

FORMAT = 1  # bump when DayMaterial.encode changes: older rows are then rebuilt
SAVE_CHUNK = 31  # rows per write transaction, so a year never holds the SQLite writer long
# Marks further behind than this are moved up after a check, so the check reads a short log.
REFRESH_SPAN = 20_000
LOCK_TRIES = 5


@dataclass(frozen=True)
class RollupStore:
    """How reports may use rollups: days before `closed_before` (the office's today) are
    closed; `write` opens a write transaction (None: use rollups, never store any)."""

    closed_before: date
    write: Callable[[], AbstractContextManager[Session]] | None = None


class Marks(NamedTuple):
    """The newest event-log and rating ids."""

    event: int
    rating: int


def latest(session: Session) -> Marks:
    """The newest ids as this session sees them."""
    return Marks(
        session.scalar(select(func.max(EventLog.id))) or 0,
        session.scalar(select(func.max(Rating.id))) or 0,
    )


def safe_marks(session: Session, store: RollupStore) -> Marks | None:
    """Marks every id up to which is committed (see the module docstring); None if unknown."""
    if session.get_bind().dialect.name == "sqlite":
        return latest(session)
    assert store.write is not None
    for attempt in range(LOCK_TRIES):
        try:
            with store.write() as locked:
                locked.execute(text("LOCK TABLE event_log, rating IN SHARE MODE NOWAIT"))
                return latest(locked)
        except DBAPIError:  # a writer holds the log: try again shortly
            time.sleep(0.02 * (attempt + 1))
    return None


def changed_days(session: Session, office: Office, since: Marks) -> dict[date, Marks]:
    """Per local day, the newest event and rating newer than `since` about its tickets.

    Driven by the log's primary key (event_log.id > mark), then each ticket by its own, so
    the cost follows the number of newer entries, not the length of the period. ("+ 0" keeps
    SQLite, which has no statistics, from starting at the office's tickets instead.)"""
    office_is = Ticket.office_id + 0 == office.id
    changed: dict[date, Marks] = {}
    events = (
        select(Ticket.local_day, func.max(EventLog.id))
        .select_from(EventLog)
        .join(Ticket, Ticket.id == EventLog.ticket_id)
        .where(EventLog.id > since.event, office_is)
        .group_by(Ticket.local_day)
    )
    for day, newest in session.execute(events):
        changed[day] = Marks(newest, 0)
    ratings = (
        select(Ticket.local_day, func.max(Rating.id))
        .select_from(Rating)
        .join(TicketStep, TicketStep.id == Rating.step_id)
        .join(Ticket, Ticket.id == TicketStep.ticket_id)
        .where(Rating.id > since.rating, office_is)
        .group_by(Ticket.local_day)
    )
    for day, newest in session.execute(ratings):
        changed[day] = Marks(changed.get(day, Marks(0, 0)).event, newest)
    return changed


def _load(
    session: Session, office: Office, kind: Kind, days: Sequence[date]
) -> dict[date, tuple[Marks, ReportDay]]:
    rows = session.scalars(
        select(ReportDay).where(
            ReportDay.office_id == office.id,
            ReportDay.kind == kind,
            ReportDay.local_day.between(days[0], days[-1]),
        )
    )
    return {
        row.local_day: (Marks(row.event_mark, row.rating_mark), row)
        for row in rows
        if row.format == FORMAT and row.timezone == office.timezone
    }


def _still_valid(
    session: Session, office: Office, rows: dict[date, tuple[Marks, ReportDay]], floor: Marks
) -> dict[date, DayMaterial]:
    """The material of the rows no newer entry concerns."""
    changed = changed_days(session, office, floor) if rows else {}
    valid: dict[date, DayMaterial] = {}
    for day, (stored, row) in rows.items():
        newer = changed.get(day)
        if newer is None or (newer.event <= stored.event and newer.rating <= stored.rating):
            valid[day] = DayMaterial.decode(row.groups, row.millis)
    return valid


def material(
    session: Session, office: Office, period: Period, kind: Kind, store: RollupStore | None
) -> dict[date, DayMaterial]:
    """The material of every day of `period`: valid rollups, the rest scanned (and the closed
    days among those stored when `store` may write)."""
    days = period.each_day()
    if store is None:
        return scan(session, office, days, kind)
    closed = [day for day in days if day < store.closed_before]
    found = scan(session, office, days[len(closed) :], kind)
    if not closed:
        return found
    rows = _load(session, office, kind, closed)
    floor = Marks(
        min((marks.event for marks, _ in rows.values()), default=0),
        min((marks.rating for marks, _ in rows.values()), default=0),
    )
    newest = latest(session)
    span = max(newest.event - floor.event, newest.rating - floor.rating)
    behind = bool(rows) and span > REFRESH_SPAN
    writable = store.write is not None
    # Safe marks are read before the check when rows' marks are to move up to them, and before
    # the scan of the days to build: whatever they cover is then in what was checked or scanned.
    marks = safe_marks(session, store) if writable and behind else None
    found.update(_still_valid(session, office, rows, floor))
    missing = [day for day in closed if day not in found]
    if writable and missing and marks is None:
        marks = safe_marks(session, store)
    built = scan(session, office, missing, kind)
    found.update(built)
    if marks is not None and store.write is not None:
        refresh = {day: stored for day, (stored, _) in rows.items() if day not in built}
        _save(store.write, office, kind, marks, built, refresh if behind else {})
    return found


def _chunks(items: list[date]) -> Iterator[list[date]]:
    for start in range(0, len(items), SAVE_CHUNK):
        yield items[start : start + SAVE_CHUNK]


def _save(
    write: Callable[[], AbstractContextManager[Session]],
    office: Office,
    kind: Kind,
    marks: Marks,
    built: dict[date, DayMaterial],
    refresh: dict[date, Marks],
) -> None:
    """Store the built days and move checked rows' marks up to `marks`.

    A mark only moves from the exact value that was checked, so a row another process rebuilt
    meanwhile keeps its own. Two processes storing one day at once: the second gives way."""
    for days in _chunks(sorted(built)):
        try:
            with write() as session:
                where = and_(
                    ReportDay.office_id == office.id,
                    ReportDay.kind == kind,
                    ReportDay.local_day.in_(days),
                )
                session.execute(delete(ReportDay).where(where))
                for day in days:
                    groups, packed = built[day].encode()
                    session.add(
                        ReportDay(
                            office_id=office.id,
                            kind=kind,
                            local_day=day,
                            format=FORMAT,
                            timezone=office.timezone,
                            event_mark=marks.event,
                            rating_mark=marks.rating,
                            groups=groups,
                            millis=packed,
                        )
                    )
        except IntegrityError:
            continue
    for days in _chunks(sorted(refresh)):
        with write() as session:
            for day in days:
                session.execute(
                    update(ReportDay)
                    .where(
                        ReportDay.office_id == office.id,
                        ReportDay.kind == kind,
                        ReportDay.local_day == day,
                        ReportDay.event_mark == refresh[day].event,
                        ReportDay.rating_mark == refresh[day].rating,
                    )
                    .values(event_mark=marks.event, rating_mark=marks.rating)
                )
