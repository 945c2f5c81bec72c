"""Per-day rollups: the same figures as a scan of the tickets, and never a stale one served."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from display_server import queue
from display_server.models import (
    EventLog,
    Office,
    Officer,
    Rating,
    ReportDay,
    StepOutcome,
    Ticket,
    TicketStep,
)
from display_server.queue.counters import sign_in_at_counter
from display_server.queue.lookups import get_office
from display_server.reports import Grouping, Period, Report, RollupStore, compute_reports, rollups
from tests.factories import FakeClock, login

from .conftest import admin_site
from .scenario import DAYS, HANOI, play

GROUPINGS: tuple[Grouping, ...] = ("day", "hour", "service", "counter", "officer")
KINDS = ("cube", "counter", "officer")
# 09:00 in Hanoi the day after the synthetic days: both are closed.
MORNING_AFTER = datetime.combine(DAYS[-1] + timedelta(days=1), time(9), HANOI).astimezone(UTC)
PERIOD = Period(DAYS[0] - timedelta(days=1), DAYS[-1] + timedelta(days=1))


def at_hanoi(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time in the test office, as UTC."""
    return datetime.combine(day, time(hour, minute), HANOI).astimezone(UTC)


def computed(
    app: Flask,
    *,
    stored: bool,
    period: Period = PERIOD,
    groupings: tuple[Grouping, ...] = GROUPINGS,
) -> dict[Grouping, Report]:
    """The reports, from rollups (stored ones, building the missing) or from the tickets alone."""
    db = app.extensions["luot.db"]
    clock = app.config["LUOT_CLOCK"]
    with db.read_session() as session:
        office = get_office(session)
        today = clock().astimezone(HANOI).date()
        store = RollupStore(today, db.write_session) if stored else None
        return compute_reports(session, office, period, groupings, rollups=store)


def assert_same(app: Flask, groupings: tuple[Grouping, ...] = GROUPINGS) -> dict[Grouping, Report]:
    """Reports through rollups equal reports scanned from the tickets; returns the former."""
    live = computed(app, stored=False, groupings=groupings)
    through = computed(app, stored=True, groupings=groupings)
    for grouping in groupings:
        assert through[grouping].rows == live[grouping].rows, grouping
        assert through[grouping].total == live[grouping].total, grouping
    return through


def rollup_rows(app: Flask) -> dict[tuple[str, date], tuple[int, int]]:
    """(kind, day) → (event mark, rating mark) of every stored rollup."""
    with app.extensions["luot.db"].read_session() as session:
        rows = session.execute(
            select(ReportDay.kind, ReportDay.local_day, ReportDay.event_mark, ReportDay.rating_mark)
        )
        return {(kind, day): (event, rating) for kind, day, event, rating in rows}


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[date]]]:
    """Every scan of the tickets made from here on: (kind, days)."""
    calls: list[tuple[str, list[date]]] = []
    original = rollups.scan

    def spy(session: Any, office: Office, days: Sequence[date], kind: Any) -> Any:
        if days:
            calls.append((kind, list(days)))
        return original(session, office, days, kind)

    monkeypatch.setattr(rollups, "scan", spy)
    return calls


@pytest.fixture
def played(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """Two synthetic days played through the engine; the clock the morning after."""
    clock = FakeClock(MORNING_AFTER)
    app = make_app(site=admin_site(), features=["display_server.admin"], clock=clock)
    play(app.extensions["luot.db"], tickets_per_day=20, seed=3)
    yield app


def unrated_done_step(app: Flask, day: date) -> int:
    """A served step of `day` nobody rated."""
    with app.extensions["luot.db"].read_session() as session:
        step_id: int = session.scalars(
            select(TicketStep.id)
            .join(Ticket, Ticket.id == TicketStep.ticket_id)
            .outerjoin(Rating, Rating.step_id == TicketStep.id)
            .where(
                Ticket.local_day == day,
                TicketStep.outcome == StepOutcome.DONE.value,
                Rating.id.is_(None),
            )
            .limit(1)
        ).one()
        return step_id


def rate_late(app: Flask, step_id: int) -> None:
    """A rating of an old step arriving now (as the QR link allows)."""
    with app.extensions["luot.db"].write_session() as session:
        step = session.get(TicketStep, step_id)
        assert step is not None
        session.add(
            Rating(
                office_id=get_office(session).id,
                step_id=step.id,
                officer_id=step.officer_id,
                counter_id=step.counter_id,
                level="unsatisfied",
                score=1,
                created_at=app.config["LUOT_CLOCK"](),
            )
        )


def test_rollups_give_the_figures_of_a_scan_and_spare_the_next_one(
    played: Flask, scanned: list[tuple[str, list[date]]]
) -> None:
    first = assert_same(played)
    closed = PERIOD.each_day()[:-1]  # the last day of the period is today
    assert set(rollup_rows(played)) == {(kind, day) for kind in KINDS for day in closed}
    scanned.clear()
    again = computed(played, stored=True)
    assert again == first
    today = PERIOD.end
    assert scanned == [(kind, [today]) for kind in KINDS]


def test_a_late_rating_makes_its_day_stale(
    played: Flask, scanned: list[tuple[str, list[date]]]
) -> None:
    before = assert_same(played)
    marks = rollup_rows(played)
    rate_late(played, unrated_done_step(played, DAYS[0]))
    live = computed(played, stored=False)
    scanned.clear()
    after = computed(played, stored=True)
    assert after == live
    assert after["day"].total.ratings == before["day"].total.ratings + 1
    rows = {row.key: row.figures for row in after["day"].rows}
    assert (
        rows[DAYS[0]].ratings == {r.key: r.figures for r in before["day"].rows}[DAYS[0]].ratings + 1
    )
    rebuilt = {(kind, tuple(days)) for kind, days in scanned if days != [PERIOD.end]}
    assert rebuilt == {(kind, (DAYS[0],)) for kind in KINDS}
    now = rollup_rows(played)
    assert all(now[(kind, DAYS[0])][1] > marks[(kind, DAYS[0])][1] for kind in KINDS)
    assert all(now[key] == marks[key] for key in marks if key[1] != DAYS[0])


def test_a_ticket_of_yesterday_finished_after_midnight(
    played: Flask, scanned: list[tuple[str, list[date]]]
) -> None:
    clock = played.config["LUOT_CLOCK"]
    db = played.extensions["luot.db"]
    late_day = PERIOD.end  # today for now: the office works late
    clock.now = at_hanoi(late_day, 23, 40)
    with db.write_session() as session:
        office = get_office(session)
        lan = session.scalars(select(Officer).where(Officer.username == "lan")).one()
        sign_in_at_counter(session, office, 1, lan, clock.now)
        ticket_id = queue.issue_ticket(session, office, "A", now=at_hanoi(late_day, 23, 45)).id
    with db.write_session() as session:
        office = get_office(session)
        lan = session.scalars(select(Officer).where(Officer.username == "lan")).one()
        assert queue.call_next(session, office, 1, lan, now=at_hanoi(late_day, 23, 50)).id == (
            ticket_id
        )
        queue.start_service(session, office, 1, lan, now=at_hanoi(late_day, 23, 51))
    clock.now = at_hanoi(late_day + timedelta(days=1), 0, 5)  # the day closed
    period = Period(PERIOD.start, late_day)
    before = computed(played, stored=True, period=period, groupings=("day",))["day"]
    assert ("cube", late_day) in rollup_rows(played)
    with db.write_session() as session:
        office = get_office(session)
        lan = session.scalars(select(Officer).where(Officer.username == "lan")).one()
        queue.finish_service(
            session, office, 1, lan, now=at_hanoi(late_day + timedelta(days=1), 0, 20)
        )
    after = computed(played, stored=True, period=period, groupings=("day",))["day"]
    live = computed(played, stored=False, period=period, groupings=("day",))["day"]
    assert after.rows == live.rows and after.total == live.total
    assert after.total.served == before.total.served + 1
    assert after.total.service.count == before.total.service.count + 1


def test_a_new_time_zone_rebuilds_the_hours(played: Flask) -> None:
    assert_same(played)
    with played.extensions["luot.db"].write_session() as session:
        session.execute(update(Office).values(timezone="Asia/Tokyo"))
    played.config["LUOT_CLOCK"].now += timedelta(hours=2)  # still the same day in Tokyo
    after = assert_same(played, ("hour",))
    assert min(row.key for row in after["hour"].rows if row.figures.issued) == 9  # 07:30 Hanoi
    with played.extensions["luot.db"].read_session() as session:
        zones = set(session.scalars(select(ReportDay.timezone).where(ReportDay.kind == "cube")))
    assert zones == {"Asia/Tokyo"}


def test_rows_of_an_older_format_are_rebuilt(
    played: Flask, scanned: list[tuple[str, list[date]]]
) -> None:
    assert_same(played)
    with played.extensions["luot.db"].write_session() as session:
        session.execute(update(ReportDay).values(format=rollups.FORMAT - 1))
    scanned.clear()
    assert computed(played, stored=True) == computed(played, stored=False)
    closed = PERIOD.each_day()[:-1]
    assert {kind for kind, days in scanned if days == closed} == set(KINDS)
    assert len(rollup_rows(played)) == len(KINDS) * len(closed)


def test_marks_far_behind_move_up_after_a_check(
    played: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same(played)
    monkeypatch.setattr(rollups, "REFRESH_SPAN", 1)
    with played.extensions["luot.db"].write_session() as session:
        office = get_office(session)
        for _ in range(3):  # today's tickets: they touch no closed day
            queue.issue_ticket(session, office, "C", now=played.config["LUOT_CLOCK"]())
    assert_same(played)
    with played.extensions["luot.db"].read_session() as session:
        newest = session.scalar(select(func.max(ReportDay.event_mark)))
        oldest = session.scalar(select(func.min(ReportDay.event_mark)))
        assert oldest == newest == session.scalar(select(func.max(EventLog.id)))


def test_a_store_that_may_not_write_still_uses_and_checks_rollups(played: Flask) -> None:
    assert_same(played)
    rate_late(played, unrated_done_step(played, DAYS[1]))
    db = played.extensions["luot.db"]
    with db.read_session() as session:
        office = get_office(session)
        store = RollupStore(PERIOD.end, write=None)
        read_only = compute_reports(session, office, PERIOD, GROUPINGS, rollups=store)
    live = computed(played, stored=False)
    assert read_only == live


def test_the_report_api_sees_a_late_change(played: Flask) -> None:
    client = played.test_client()
    headers = login(client, "mai")
    query = f"/api/v1/reports?from={PERIOD.start}&to={PERIOD.end}&group=day"
    before = client.get(query, headers=headers).get_json()
    assert len(rollup_rows(played)) == PERIOD.days - 1  # the cube's closed days
    rate_late(played, unrated_done_step(played, DAYS[0]))
    after = client.get(query, headers=headers).get_json()
    assert after["total"]["satisfaction"]["ratings"] == (
        before["total"]["satisfaction"]["ratings"] + 1
    )
    day = {row["key"]: row for row in after["rows"]}[DAYS[0].isoformat()]
    was = {row["key"]: row for row in before["rows"]}[DAYS[0].isoformat()]
    assert day["satisfaction"]["levels"]["unsatisfied"] == (
        was["satisfaction"]["levels"].get("unsatisfied", 0) + 1
    )


def test_rollups_built_ahead_serve_the_first_report(
    played: Flask, scanned: list[tuple[str, list[date]]]
) -> None:
    from display_server.admin.reporting import build_rollups

    period = build_rollups(played, days=5)
    assert period == Period(PERIOD.end - timedelta(days=5), PERIOD.end - timedelta(days=1))
    assert len(rollup_rows(played)) == len(KINDS) * 5
    scanned.clear()
    computed(played, stored=True, period=Period(period.start, PERIOD.end))
    assert scanned == [(kind, [PERIOD.end]) for kind in KINDS]
