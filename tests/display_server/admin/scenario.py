"""A synthetic working day driven through the real queue engine with known times, and the
report figures recomputed from those times in plain Python (never from the database)."""

from __future__ import annotations

import heapq
import itertools
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from display_server import queue
from display_server.db import Database
from display_server.models import Officer, Rating
from display_server.queue.counters import sign_in_at_counter
from display_server.queue.errors import Conflict
from display_server.queue.lookups import get_counter, get_office, get_ticket
from display_server.queue.records import StepRow, current_ticket

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TARGETS = {"A": 20, "B": 30}  # minutes, as in tests.factories.BASE_SITE
SEATS = {1: "lan", 2: "hung", 3: "binh"}
LEVELS = (("very_satisfied", 3), ("satisfied", 2), ("unsatisfied", 1))


@dataclass
class Step:
    service: str
    counter: int | None = None
    officer: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str = "pending"
    rating: tuple[str, int] | None = None


@dataclass
class Record:
    """What the test did to one ticket, with the times it passed to the engine."""

    id: int
    day: date
    issued_at: datetime
    service: str
    fate: str
    cancelled: bool = False
    steps: list[Step] = field(default_factory=list)


@dataclass
class Fate:
    issue_at: datetime
    service: str
    fate: str  # done | no_show | transfer | cancel | left_waiting
    duration: int  # seconds of service
    priority: str | None = None
    rate: tuple[str, int] | None = None


def plan_day(day: date, rng: random.Random, count: int) -> list[Fate]:
    """Tickets of one day: arrival times 07:30–10:30 local, a fate and a service time each."""
    start = datetime.combine(day, time(7, 30), HANOI)  # arrivals over two and a half hours
    fates: list[Fate] = []
    for _ in range(count):
        issue_at = start + timedelta(seconds=rng.randrange(0, 9000))
        roll = rng.random()
        fate = (
            "cancel"
            if roll < 0.07
            else "no_show"
            if roll < 0.15
            else "transfer"
            if roll < 0.22
            else "done"
        )
        rate = rng.choice(LEVELS) if fate == "done" and rng.random() < 0.5 else None
        fates.append(
            Fate(
                issue_at.astimezone(UTC),
                rng.choice("AAABBCCD"),
                fate,
                rng.randrange(120, 900),
                "elderly" if rng.random() < 0.1 else None,
                rate,
            )
        )
    fates.sort(key=lambda f: f.issue_at)
    return fates


def run_day(
    db: Database, day: date, fates: list[Fate], rng: random.Random, records: dict[int, Record]
) -> None:
    """Play the day through the queue engine in time order and record what happened."""
    order = itertools.count()
    events: list[tuple[datetime, int, str, Any]] = []
    opening = datetime.combine(day, time(7, 25), HANOI).astimezone(UTC)
    closing = datetime.combine(day, time(11, 30), HANOI).astimezone(UTC)
    with db.write_session() as session:
        office = get_office(session)
        for number, username in SEATS.items():
            officer = session.scalars(select(Officer).where(Officer.username == username)).one()
            sign_in_at_counter(session, office, number, officer, opening)
    for fate in fates:
        heapq.heappush(events, (fate.issue_at, next(order), "issue", fate))
    for number in SEATS:
        heapq.heappush(events, (opening + timedelta(minutes=10), next(order), "free", number))
    by_ticket: dict[int, Fate] = {}
    while events:
        at, _, kind, payload = heapq.heappop(events)
        if at > closing and kind == "free":
            continue
        with db.write_session() as session:
            office = get_office(session)
            if kind == "issue":
                ticket = queue.issue_ticket(
                    session, office, payload.service, priority=payload.priority, now=at
                )
                session.flush()
                records[ticket.id] = Record(ticket.id, day, at, payload.service, payload.fate)
                by_ticket[ticket.id] = payload
                if payload.fate == "cancel":
                    delay = timedelta(seconds=rng.randrange(30, 600))
                    heapq.heappush(events, (at + delay, next(order), "cancel", ticket.id))
            elif kind == "cancel":
                ticket = get_ticket(session, office, payload)
                if ticket.status == "waiting":
                    queue.cancel_ticket(session, office, ticket, None, now=at)
                    record = records[payload]
                    record.cancelled = True
                    if not record.steps or record.steps[-1].outcome != "pending":
                        record.steps.append(Step(record.service))
                    record.steps[-1].outcome = "cancelled"
            elif kind == "free":
                _free(session, office, payload, at, events, order, records, by_ticket)
            else:
                _act(session, office, kind, payload, at, events, order, records, by_ticket)


def _officer(session: Session, number: int) -> Officer:
    return session.scalars(select(Officer).where(Officer.username == SEATS[number])).one()


def _free(
    session: Session,
    office: Any,
    number: int,
    at: datetime,
    events: list[Any],
    order: Any,
    records: dict[int, Record],
    by_ticket: dict[int, Fate],
) -> None:
    try:
        ticket = queue.call_next(session, office, number, _officer(session, number), now=at)
    except Conflict:
        # Nobody waiting: look again at the next arrival (or in 10 minutes, for transfers).
        arrivals = [when for when, _, kind, _ in events if kind == "issue" and when > at]
        again = min([*arrivals, at + timedelta(minutes=10)])
        heapq.heappush(events, (again + timedelta(seconds=1), next(order), "free", number))
        return
    record = records[ticket.id]
    if not record.steps or record.steps[-1].outcome != "pending":
        record.steps.append(Step(get_ticket(session, office, ticket.id).service.code))
    step = record.steps[-1]
    step.counter, step.officer, step.called_at = number, SEATS[number], at
    fate = by_ticket[ticket.id]
    if fate.fate == "no_show" and len(record.steps) == 1:
        heapq.heappush(events, (at + timedelta(seconds=150), next(order), "no_show", number))
        return
    heapq.heappush(events, (at + timedelta(seconds=35), next(order), "start", number))


def _act(
    session: Session,
    office: Any,
    kind: str,
    number: int,
    at: datetime,
    events: list[Any],
    order: Any,
    records: dict[int, Record],
    by_ticket: dict[int, Fate],
) -> None:
    officer = _officer(session, number)
    if kind == "no_show":
        ticket = queue.mark_no_show(session, office, number, officer, now=at)
        step = records[ticket.id].steps[-1]
        step.finished_at, step.outcome = at, "no_show"
        heapq.heappush(events, (at, next(order), "free", number))
        return
    if kind == "start":
        ticket = queue.start_service(session, office, number, officer, now=at)
        records[ticket.id].steps[-1].started_at = at
        fate = by_ticket[ticket.id]
        took = timedelta(seconds=fate.duration // (2 if fate.fate == "transfer" else 1))
        heapq.heappush(events, (at + took, next(order), "finish", number))
        return
    current = current_ticket(session, get_counter(session, office, number).id)
    assert current is not None
    record_id = current.id
    record = records[record_id]
    fate = by_ticket[record_id]
    step = record.steps[-1]
    step.finished_at = at
    if fate.fate == "transfer" and len(record.steps) == 1:
        queue.transfer(session, office, number, officer, "C", now=at)
        step.outcome = "transferred"
    else:
        ticket = queue.finish_service(session, office, number, officer, now=at)
        step.outcome = "done"
        if fate.rate is not None:
            session.flush()
            step_row: StepRow = ticket.steps[len(record.steps) - 1]
            session.add(
                Rating(
                    office_id=office.id,
                    step_id=step_row.id,
                    officer_id=officer.id,
                    counter_id=step_row.counter_id,
                    level=fate.rate[0],
                    score=fate.rate[1],
                    created_at=at + timedelta(seconds=20),
                )
            )
            step.rating = fate.rate
    heapq.heappush(events, (at, next(order), "free", number))


# --- the figures, recomputed --------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """statistics' "inclusive" quantiles: the same linear method the reports state."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


@dataclass
class Expected:
    issued: int = 0
    cancelled: int = 0
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    within: int = 0
    with_target: int = 0
    ratings: list[tuple[str, int]] = field(default_factory=list)


def expected(records: dict[int, Record], grouping: str, satisfied: int = 2) -> dict[Any, Expected]:
    """Figures per group key, from the recorded times only."""
    groups: dict[Any, Expected] = defaultdict(Expected)

    def ticket_key(record: Record) -> Any:
        first = record.steps[0] if record.steps else None
        called = first is not None and first.called_at is not None
        return {
            "day": record.day,
            "hour": record.issued_at.astimezone(HANOI).hour,
            "service": record.service,
            "counter": first.counter if called and first else None,
            "officer": first.officer if called and first else None,
            "total": "total",
        }[grouping]

    def step_key(record: Record, step: Step) -> Any:
        return {
            "day": record.day,
            "hour": record.issued_at.astimezone(HANOI).hour,
            "service": step.service,
            "counter": step.counter,
            "officer": step.officer,
            "total": "total",
        }[grouping]

    for record in records.values():
        into = groups[ticket_key(record)]
        into.issued += 1
        into.cancelled += record.cancelled
        first = record.steps[0] if record.steps else None
        if first is not None and first.called_at is not None:
            wait = (first.called_at - record.issued_at).total_seconds()
            into.waits.append(wait)
            if record.service in TARGETS:
                into.with_target += 1
                into.within += wait <= TARGETS[record.service] * 60
        for step in record.steps:
            part = groups[step_key(record, step)]
            if step.outcome == "done":
                part.served += 1
                assert step.started_at and step.finished_at
                part.services.append((step.finished_at - step.started_at).total_seconds())
            elif step.outcome == "no_show":
                part.no_show += 1
            elif step.outcome == "transferred":
                part.transferred += 1
            if step.rating is not None:
                part.ratings.append(step.rating)
    return groups


def check_figures(figures: Any, want: Expected, satisfied: int = 2) -> None:
    """Assert a report row's figures equal the recomputed ones."""
    import pytest

    assert figures.issued == want.issued
    assert figures.cancelled == want.cancelled
    assert figures.served == want.served
    assert figures.no_show == want.no_show
    assert figures.transferred == want.transferred
    for summary, values in ((figures.wait, want.waits), (figures.service, want.services)):
        assert summary.count == len(values)
        if values:
            assert summary.mean == pytest.approx(statistics.fmean(values), abs=1e-6)
            assert summary.median == pytest.approx(statistics.median(values), abs=1e-6)
            assert summary.p90 == pytest.approx(percentile(values, 0.9), abs=1e-6)
        else:
            assert summary.mean is None and summary.median is None and summary.p90 is None
    assert figures.with_target == want.with_target
    assert figures.within_target == want.within
    assert figures.ratings == len(want.ratings)
    assert figures.satisfied == sum(1 for _, score in want.ratings if score >= satisfied)
    assert figures.score_sum == sum(score for _, score in want.ratings)
    levels: dict[str, int] = defaultdict(int)
    for level, _ in want.ratings:
        levels[level] += 1
    assert figures.levels == dict(levels)


DAYS = (date(2026, 11, 24), date(2026, 11, 25))


def play(db: Database, tickets_per_day: int = 45, seed: int = 11) -> dict[int, Record]:
    """Two synthetic days; returns the records keyed by ticket id."""
    rng = random.Random(seed)
    records: dict[int, Record] = {}
    for day in DAYS:
        run_day(db, day, plan_day(day, rng, tickets_per_day), rng, records)
    return records
