"""SQLite writes that queue up share one durable commit, and stay separate in every other way.

Each test holds the first writer inside its transaction until the others are queued on the
write lock, so the batching does not depend on timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from display_server.db import Database, WriteNotCommitted, create_database_engine, record_event
from display_server.events import Event, EventBus
from display_server.models import EventLog, Office
from display_server.schema import upgrade

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    engine = create_database_engine(f"sqlite:///{(tmp_path / 'luot.db').as_posix()}")
    upgrade(engine)
    database = Database(engine=engine, bus=EventBus())
    with database.write_session() as session:
        session.add(Office(name="UBND phường Phú Đô"))
    yield database
    database.dispose()


def write(db: Database, kind: str, *, then: Callable[[], None] | None = None) -> None:
    """One write: a log entry and its event; `then` runs inside the transaction."""
    with db.write_session() as session:
        session.execute(insert(EventLog).values(office_id=1, at=AT, kind=kind, detail={}))
        record_event(session, kind, 1, {"kind": kind})
        if then is not None:
            then()


def logged(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(EventLog.kind).order_by(EventLog.id)))


def wait_for_queue(db: Database, waiting: int) -> None:
    """Until `waiting` threads wait for the write lock."""
    deadline = time.monotonic() + 10
    while db._waiting < waiting:
        assert time.monotonic() < deadline, "the other writers never queued"
        time.sleep(0.001)


def run_queued(db: Database, first: Callable[[], None], others: list[Callable[[], None]]) -> dict:
    """Start `first`, which holds the lock until every one of `others` waits for it."""
    errors: dict[str, BaseException] = {}

    def guarded(name: str, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            errors[name] = exc

    threads = [threading.Thread(target=guarded, args=("first", first))]
    threads[0].start()
    time.sleep(0.05)  # the first writer now holds the lock
    for n, work in enumerate(others):
        threads.append(threading.Thread(target=guarded, args=(f"other{n}", work)))
        threads[-1].start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive(), "a writer never returned"
    return errors


def test_queued_writes_share_one_commit_and_publish_in_order(db: Database) -> None:
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: commits.append(1))
    heard: list[Event] = []
    db.bus.subscribe(heard.append)
    hold = threading.Event()

    def first() -> None:
        def held() -> None:
            hold.set()
            wait_for_queue(db, 3)

        write(db, "first", then=held)

    others = [lambda n=n: write(db, f"other{n}") for n in range(3)]  # type: ignore[misc]
    assert run_queued(db, first, others) == {}
    assert hold.is_set()
    assert len(commits) == 1  # four writes, one fsync
    assert sorted(logged(db)) == ["first", "other0", "other1", "other2"]
    # Every event was published, once, in the order of the log (the commit order).
    assert [e.kind for e in heard] == logged(db)


@pytest.mark.parametrize("failure", ["in the caller's code", "in the session's flush"])
def test_failed_write_in_a_shared_commit_undoes_only_itself(db: Database, failure: str) -> None:
    class Refused(Exception):
        pass

    def first() -> None:
        write(db, "kept-first", then=lambda: wait_for_queue(db, 2))

    def failing() -> None:
        with db.write_session() as session:
            session.execute(insert(EventLog).values(office_id=1, at=AT, kind="undone", detail={}))
            record_event(session, "undone", 1, {})
            if failure == "in the caller's code":
                raise Refused()
            # A second office with the first one's id: the flush at the end of the write fails
            # (SQLAlchemy rolls back on its own there, which must not reach the others' writes).
            session.add(Office(id=1, name="trùng"))

    def last() -> None:
        time.sleep(0.02)
        write(db, "kept-last")

    heard: list[Event] = []
    db.bus.subscribe(heard.append)
    errors = run_queued(db, first, [failing, last])
    assert set(errors) == {"other0"}
    assert isinstance(
        errors["other0"], Refused if failure == "in the caller's code" else IntegrityError
    )
    assert sorted(logged(db)) == ["kept-first", "kept-last"]
    assert sorted(e.kind for e in heard) == ["kept-first", "kept-last"]


def test_a_lone_write_failing_in_its_flush_leaves_the_writer_usable(db: Database) -> None:
    with pytest.raises(IntegrityError), db.write_session() as session:
        session.execute(insert(EventLog).values(office_id=1, at=AT, kind="undone", detail={}))
        session.add(Office(id=1, name="trùng"))
    write(db, "after")
    assert logged(db) == ["after"]


def test_a_batch_whose_transaction_sqlite_ended_fails_and_the_next_write_starts_afresh(
    db: Database,
) -> None:
    """SQLite ends a transaction by itself on some errors (a full disk): the writes waiting in
    it must hear that they were lost, and a later write must not run outside a transaction."""

    def first() -> None:
        def ended_by_sqlite() -> None:
            wait_for_queue(db, 1)
            assert db._writer is not None
            db._writer.connection.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]

        write(db, "lost", then=ended_by_sqlite)

    errors = run_queued(db, first, [lambda: write(db, "kept")])
    assert set(errors) == {"first"} and isinstance(errors["first"], WriteNotCommitted)
    assert logged(db) == ["kept"]


def test_a_failed_shared_commit_fails_every_write_in_it(db: Database) -> None:
    heard: list[Event] = []
    db.bus.subscribe(heard.append)
    failing = threading.Event()

    def refuse(_conn: Any) -> None:
        if failing.is_set():
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(db.engine, "commit", refuse)

    def first() -> None:
        failing.set()
        write(db, "lost-first", then=lambda: wait_for_queue(db, 1))

    errors = run_queued(db, first, [lambda: write(db, "lost-other")])
    assert set(errors) == {"first", "other0"}
    assert all(isinstance(e, WriteNotCommitted) for e in errors.values())
    assert heard == []  # nothing published for writes that did not commit
    assert logged(db) == []
    failing.clear()
    write(db, "after")  # the writer connection is usable again
    assert logged(db) == ["after"]
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(EventLog)) == 1
