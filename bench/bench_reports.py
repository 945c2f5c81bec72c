"""Reports benchmark: one year of a busy office (~500,000 tickets) on SQLite.

    .venv/bin/python bench/bench_reports.py [--tickets-per-day 1850] [--days 288] [--repeat 5]

Generates the year with bulk inserts into a fresh SQLite file (schema from the migrations,
report indexes included; three event-log entries per ticket), then times, for a month and for
the whole year: the report computed from the tickets alone, the same through the per-day
rollups, the /admin/reports page, the XLSX / CSV exports and GET /api/v1/reports. The clock
stands at 16:00 on the last generated day, so that day is "today" and always scanned live.

Three ways of being cold: "first" empties the report cache and the stored rollups before each
run (the first report ever, rollups being built); "cold" empties the report cache only (every
figure computed again, closed days read from their rollups); "warm" repeats the request with
nothing changed (served from the cache). Prints the median and the slowest of the cold runs,
and the CPU time of the cold median run.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select

from display_server.admin.reporting import report_cache
from display_server.app import create_app
from display_server.models import EventLog, Rating, ReportDay
from display_server.queue.clock import local_day
from display_server.queue.lookups import get_office
from display_server.reports import Period, RollupStore, compute_report, rollups

PASSWORD = "mat-khau-bench"
OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, no daylight saving time
SERVICES = [  # code, name, target wait (min), mean service time (min), share of tickets
    ("A", "Hộ tịch", 20, 9.0, 30),
    ("B", "Liên thông khai sinh – thường trú – BHYT", 30, 14.0, 10),
    ("C", "Chứng thực", 15, 4.0, 35),
    ("D", "Đăng ký đất đai", 30, 18.0, 10),
    ("E", "Bảo trợ xã hội", 20, 10.0, 8),
    ("F", "Đăng ký kinh doanh hộ cá thể", 30, 12.0, 7),
]
COUNTERS = 12
LEVELS = [("very_satisfied", 3, 55), ("satisfied", 2, 33), ("unsatisfied", 1, 12)]
ENDED = {"done": "finished", "no_show": "no_show", "cancelled": "cancelled"}  # event kinds
# Arrivals per local hour, the morning peak of a ward office.
HOURLY = {7: 8, 8: 18, 9: 17, 10: 14, 11: 7, 13: 9, 14: 13, 15: 10, 16: 4}


def site() -> dict[str, Any]:
    """The benchmark office: six services, twelve counters, one officer each, a supervisor."""
    codes = [code for code, *_ in SERVICES]
    return {
        "office": {
            "name": "UBND phường Thử Tải",
            "unit": "Bộ phận Một cửa",
            "timezone": "Asia/Ho_Chi_Minh",
        },
        "services": [
            {"code": c, "name": n, "target_wait_minutes": t} for c, n, t, _, _ in SERVICES
        ],
        "counters": [
            {
                "number": n,
                "name": f"Quầy {n}",
                "services": [codes[(n - 1) % 6], codes[n % 6], codes[(n + 2) % 6]],
            }
            for n in range(1, COUNTERS + 1)
        ],
        "officers": [
            {"username": f"cb{n}", "full_name": f"Cán bộ số {n}", "password": PASSWORD}
            for n in range(1, COUNTERS + 4)
        ]
        + [
            {
                "username": "giamsat",
                "full_name": "Giám sát",
                "password": PASSWORD,
                "role": "supervisor",
            }
        ],
        "voice": {"enabled": False},
    }


def working_days(last: date, count: int) -> list[date]:
    """The `count` working days (Monday to Saturday) ending at `last`."""
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 6:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


class Stamps:
    """UTC times of one day as SQLite stores them, from seconds after UTC midnight (fast)."""

    def __init__(self, day: date) -> None:
        self.prefix = f"{day.isoformat()} "

    def __call__(self, seconds: float) -> str:
        whole = int(seconds)
        micro = int((seconds - whole) * 1_000_000)
        return (
            f"{self.prefix}{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{micro:06d}"
        )


def generate(path: Path, tickets_per_day: int, day_count: int, seed: int = 7) -> dict[str, int]:
    """Fill `path` (already migrated and provisioned) with `day_count` days of tickets."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    service_ids = dict(db.execute("SELECT code, id FROM service"))
    counters = dict(db.execute("SELECT number, id FROM counter"))
    serves = {
        sid: [
            cid
            for (cid,) in db.execute(
                "SELECT counter_id FROM counter_service WHERE service_id = ?", (sid,)
            )
        ]
        for sid in service_ids.values()
    }
    officers = [oid for (oid,) in db.execute("SELECT id FROM officer WHERE role = 'officer'")]
    officer_at = {cid: officers[i % len(officers)] for i, cid in enumerate(counters.values())}
    mean_log = {service_ids[code]: math.log(minutes * 60) for code, _, _, minutes, _ in SERVICES}
    codes = [code for code, *_ in SERVICES]
    weights = [share for *_, share in SERVICES]
    hours = list(HOURLY)
    office_id = db.execute("SELECT id FROM office").fetchone()[0]
    tickets: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    ratings: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    ticket_id = step_id = 0
    for day in working_days(date(2026, 11, 20), day_count):
        stamp = Stamps(day)
        count = tickets_per_day // 2 if day.weekday() == 5 else tickets_per_day
        picks = rng.choices(codes, weights=weights, k=count)
        arrivals = rng.choices(
            hours if day.weekday() < 5 else [7, 8, 9, 10],
            weights=[HOURLY[h] for h in hours] if day.weekday() < 5 else None,
            k=count,
        )
        sequence: dict[int, int] = {}
        for code, hour in zip(picks, arrivals, strict=True):
            ticket_id += 1
            sid = service_ids[code]
            sequence[sid] = sequence.get(sid, 0) + 1
            issued = hour * 3600 - OFFSET + rng.random() * 3600
            roll = rng.random()
            status, position, queued, service = "done", 1, issued, sid
            while True:
                step_id += 1
                if position == 1 and roll < 0.04:  # withdrawn before being called
                    status = "cancelled"
                    steps.append(
                        (
                            step_id,
                            ticket_id,
                            1,
                            service,
                            None,
                            None,
                            stamp(queued),
                            None,
                            0,
                            None,
                            stamp(queued + 600),
                            "cancelled",
                        )
                    )
                    break
                called = queued + rng.expovariate(1 / 840)
                cid = rng.choice(serves[service])
                oid = officer_at[cid]
                if position == 1 and roll < 0.09:  # called, never came
                    status = "no_show"
                    steps.append(
                        (
                            step_id,
                            ticket_id,
                            1,
                            service,
                            cid,
                            oid,
                            stamp(queued),
                            stamp(called),
                            1,
                            None,
                            stamp(called + 120),
                            "no_show",
                        )
                    )
                    break
                started = called + rng.uniform(20, 90)
                finished = started + rng.lognormvariate(mean_log[service], 0.5)
                transferred = position == 1 and roll > 0.95
                steps.append(
                    (
                        step_id,
                        ticket_id,
                        position,
                        service,
                        cid,
                        oid,
                        stamp(queued),
                        stamp(called),
                        0,
                        stamp(started),
                        stamp(finished),
                        "transferred" if transferred else "done",
                    )
                )
                if not transferred:
                    if rng.random() < 0.3:
                        level, score, _ = rng.choices(LEVELS, weights=[w for *_, w in LEVELS])[0]
                        ratings.append(
                            (office_id, step_id, oid, cid, level, score, stamp(finished + 30))
                        )
                    break
                position, queued = position + 1, finished
                service = service_ids[rng.choice("ACE")]
            called = steps[-position][7]
            events.append((office_id, stamp(issued), "ticket.issued", ticket_id))
            if called is not None:
                events.append((office_id, called, "ticket.called", ticket_id))
            events.append((office_id, steps[-1][10], f"ticket.{ENDED[status]}", ticket_id))
            tickets.append(
                (
                    ticket_id,
                    office_id,
                    sid,
                    day.isoformat(),
                    sequence[sid],
                    f"{code}{sequence[sid]:03d}",
                    f"tk{ticket_id}",
                    "none",
                    "kiosk",
                    "k1",
                    status,
                    stamp(issued),
                    service,
                    stamp(queued),
                    0,
                    stamp(issued),
                    "[]",
                )
            )
    db.execute("PRAGMA synchronous=OFF")
    with db:
        db.executemany(
            "INSERT INTO ticket (id, office_id, issue_service_id, local_day, sequence, number, "
            "token, priority, channel, kiosk, status, issued_at, service_id, queued_at, front, "
            "status_changed_at, planned) VALUES (" + ",".join("?" * 17) + ")",
            tickets,
        )
        db.executemany(
            "INSERT INTO ticket_step (id, ticket_id, position, service_id, counter_id, "
            "officer_id, queued_at, called_at, recall_count, started_at, finished_at, outcome) "
            "VALUES (" + ",".join("?" * 12) + ")",
            steps,
        )
        db.executemany(
            "INSERT INTO rating (office_id, step_id, officer_id, counter_id, level, score, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ratings,
        )
        db.executemany(
            "INSERT INTO event_log (office_id, at, kind, ticket_id, detail) "
            "VALUES (?, ?, ?, ?, '{}')",
            events,
        )
    # No ANALYZE: the server never runs it, and its statistics would change the core's plans.
    db.close()
    return {
        "tickets": len(tickets),
        "steps": len(steps),
        "ratings": len(ratings),
        "events": len(events),
    }


def timed(
    action: Callable[[], Any], repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, float, float]:
    """Median and slowest wall seconds of `repeat` runs (after a warm-up), and the CPU seconds
    of the median run; `before` runs untimed before each run."""
    if before:
        before()
    action()
    runs: list[tuple[float, float]] = []
    for _ in range(repeat):
        if before:
            before()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    runs.sort()
    median = runs[len(runs) // 2]
    return statistics.median(w for w, _ in runs), runs[-1][0], median[1]


def sign_in(app: Flask) -> Any:
    """A test client signed in as the supervisor."""
    client = app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    response = client.post(
        "/admin/login", data={"username": "giamsat", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tickets-per-day", type=int, default=1850)
    parser.add_argument("--days", type=int, default=288, help="working days (Mon–Sat) in a year")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--first-repeat", type=int, default=3, help="runs building rollups")
    parser.add_argument("--keep", type=Path, help="write the database here (kept afterwards)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="luot-bench-"))
    db_path = args.keep or folder / "luot.db"
    clock = lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # noqa: E731 (16:00 in Hanoi)
    app = create_app(
        {
            "LUOT_DATA_DIR": folder,
            "LUOT_DATABASE_URL": f"sqlite:///{db_path}",
            "LUOT_SITE": site(),
            "LUOT_FEATURES": ["display_server.admin"],
            "LUOT_CLOCK": clock,
        }
    )
    started = time.perf_counter()
    counts = generate(db_path, args.tickets_per_day, args.days)
    took = time.perf_counter() - started
    print(
        f"generated {counts['tickets']:,} tickets, {counts['steps']:,} steps, "
        f"{counts['ratings']:,} ratings and {counts['events']:,} log entries in {took:.1f} s "
        f"({db_path.stat().st_size / 1e6:.0f} MB)"
    )

    client = sign_in(app)
    db = app.extensions["luot.db"]
    cache = report_cache(app)
    periods = {"month": ("2026-10-01", "2026-10-31"), "year": ("2025-11-21", "2026-11-20")}

    def forget_rollups() -> None:
        cache.clear()
        with db.write_session() as session:
            session.execute(delete(ReportDay))

    def query(period: tuple[str, str], grouping: str, stored: bool) -> Callable[[], Any]:
        span = Period(date.fromisoformat(period[0]), date.fromisoformat(period[1]))

        def run() -> Any:
            with db.read_session() as session:
                office = get_office(session)
                store = RollupStore(local_day(office, clock()), db.write_session)
                return compute_report(
                    session,
                    office,
                    span,
                    grouping,  # type: ignore[arg-type]
                    rollups=store if stored else None,
                )

        return run

    token = client.post(
        "/api/v1/auth/login", json={"username": "giamsat", "password": PASSWORD}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    def get(path: str, headers: dict[str, str] | None = None) -> Callable[[], Any]:
        def run() -> Any:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            return response.data

        return run

    # (name, action, timed "first" too, timed "warm" too)
    rows: list[tuple[str, Callable[[], Any], bool, bool]] = []
    for name, (start, end) in periods.items():
        span = f"from={start}&to={end}"
        for grouping in ("day", "officer"):
            rows.append(
                (f"query  {name} by {grouping}, tickets", query((start, end), grouping, False))
                + (False, False)
            )
        for grouping in ("day", "hour", "service", "counter", "officer"):
            rows.append(
                (f"query  {name} by {grouping}, rollups", query((start, end), grouping, True))
                + (grouping in ("day", "officer"), False)
            )
        for grouping in ("day", "service", "officer"):
            page = get(f"/admin/reports?{span}&group={grouping}")
            rows.append((f"page   {name} by {grouping}", page, True, True))
        xlsx = get(f"/admin/reports/export.xlsx?{span}&group=day")
        rows.append((f"xlsx   {name} by day", xlsx, True, True))
        csv = get(f"/admin/reports/export.csv?{span}&group=officer")
        rows.append((f"csv    {name} by officer", csv, True, True))
        api = get(f"/api/v1/reports?{span}&group=service", bearer)
        rows.append((f"api    {name} by service (json)", api, True, True))
    rows.append(("public page /cong-khai (month)", get("/cong-khai"), False, True))
    rows.append(("live dashboard JSON", get("/admin/live.json"), False, False))

    print(
        f"\n{'case':<36} {'first med':>9} {'cold med':>9} {'cold max':>9} {'cold cpu':>9} "
        f"{'warm med':>9}   (seconds)"
    )
    try:
        for name, action, first, warm in rows:
            built = (
                f"{timed(action, args.first_repeat, before=forget_rollups)[0]:>9.3f}"
                if first
                else f"{'—':>9}"
            )
            cold, worst, cpu = timed(action, args.repeat, before=cache.clear)
            again = f"{timed(action, args.repeat)[0]:>9.3f}" if warm else f"{'—':>9}"
            flag = "  over 2 s" if cold > 2.0 else ""
            print(f"{name:<36} {built} {cold:>9.3f} {worst:>9.3f} {cpu:>9.3f} {again}{flag}")
        check_cost(db, office_span=20_000)
    finally:
        db.dispose()
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def check_cost(db: Any, office_span: int) -> None:
    """Time the rollups' validity check over the newest `office_span` log entries and ratings
    (what a check reads at most between two moves of the marks)."""
    with db.read_session() as session:
        office = get_office(session)
        since = rollups.Marks(
            (session.scalar(select(func.max(EventLog.id))) or 0) - office_span,
            (session.scalar(select(func.max(Rating.id))) or 0) - office_span,
        )
        started = time.perf_counter()
        changed = rollups.changed_days(session, office, since)
        took = time.perf_counter() - started
    print(
        f"\nvalidity check over the newest {office_span:,} log entries and {office_span:,} "
        f"ratings: {took:.3f} s ({len(changed)} days touched)"
    )


if __name__ == "__main__":
    main()
