"""Engines and sessions: durable SQLite (WAL, BEGIN IMMEDIATE) or PostgreSQL, events after commit.

Writes go through `write_session`. On SQLite one writer runs at a time, on one dedicated
connection: an in-process lock queues the threads (SQLite's own busy handler sleeps in steps
that ruin latency) and BEGIN IMMEDIATE takes the database write lock up front, so a second
process waits instead of failing half-way. Writers that queue up share one durable commit
(group commit: see `_write_sqlite`). PostgreSQL needs none of this: the queue engine claims
rows with FOR UPDATE SKIP LOCKED and numbers tickets with an atomic upsert.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .events import EventBus
from .pg_events import PostgresEventBridge

PENDING_EVENTS = "luot.pending_events"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off; "begin" below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # Savepoints straight to the driver too. SQLAlchemy names each one anew on a connection
    # (sa_savepoint_1, _2, ...), so its compiled-statement cache never hits and every savepoint
    # was compiled again: about 0.25 ms per write on the long-lived writer connection.
    for method, sql in (
        ("do_savepoint", "SAVEPOINT {}"),
        ("do_release_savepoint", "RELEASE SAVEPOINT {}"),
        ("do_rollback_to_savepoint", "ROLLBACK TO SAVEPOINT {}"),
    ):
        setattr(engine.dialect, method, _driver_statement(sql))

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("luot_write", False)
        # Straight to the driver: nothing to compile, bind or read back.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _driver_statement(sql: str) -> Any:
    """A dialect method running `sql` (with the savepoint's name) on the driver's connection."""

    def run(connection: Any, name: str) -> None:
        connection.connection.driver_connection.execute(sql.format(name))

    return run


def create_database_engine(url: str) -> Engine:
    """An engine for `url` with the settings the queue's guarantees rest on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=16,
            max_overflow=32,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=16, max_overflow=32, pool_pre_ping=True)


MAX_BATCH = 32  # writes sharing one SQLite commit, at most

PendingEvent = tuple[str, int, dict[str, Any]]  # kind, office id, data


class WriteNotCommitted(RuntimeError):
    """A write's changes were lost with the shared commit that failed (a disk error)."""


@dataclass(eq=False)
class _Batched:
    """A finished write waiting for the commit it shares."""

    events: list[PendingEvent]
    error: BaseException | None = None
    # Held until the commit is over: a bare lock is much cheaper to make than an Event.
    _pending: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._pending.acquire()

    def finish(self, error: BaseException | None) -> None:
        """The commit is over (`error` if it failed)."""
        self.error = error
        self._pending.release()

    def wait(self) -> None:
        """Until `finish`."""
        with self._pending:
            pass


@dataclass
class Database:
    """One engine, its sessions, and the bus that hears about committed changes."""

    engine: Engine
    bus: EventBus
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: one connection does every write, taken in turn under `_write_lock`. Its page
        # cache stays valid between writes (a pooled connection finds the database changed by
        # another one and reads its pages again), and no pool checkout happens per write.
        self._writer: Connection | None = None
        self._batch: list[_Batched] = []  # writes done in the open transaction, not committed
        self._waiting = 0  # threads waiting for the write lock
        self._state = threading.Lock()  # guards _waiting
        self.bridge: PostgresEventBridge | None = None
        if self.engine.dialect.name == "postgresql":
            self.bridge = PostgresEventBridge(self.engine, self.bus)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading; it rolls back whatever it saw on exit."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A write transaction: commits on success, then publishes the events it recorded.

        It returns only once its changes are durable, and its events are published in commit
        order. On SQLite the commit may be shared with the writes queued behind it."""
        writing = self._write_sqlite() if self.is_sqlite else self._write_pooled()
        with writing as session:
            yield session

    @contextmanager
    def _write_pooled(self) -> Iterator[Session]:
        """PostgreSQL: a transaction of its own on a pooled connection."""
        with self._sessions() as session:
            session.info[PENDING_EVENTS] = []
            try:
                yield session
                if self.bridge is not None:
                    for kind, office_id, data in session.info[PENDING_EVENTS]:
                        self.bridge.notify(session, kind, office_id, data)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            events: list[PendingEvent] = session.info.pop(PENDING_EVENTS)
        for kind, office_id, data in events:
            self.bus.publish(kind, office_id, data)

    @contextmanager
    def _write_sqlite(self) -> Iterator[Session]:
        """SQLite: writes take turns on the writer connection, and share commits (group commit).

        A durable commit is an fsync, and SQLite writes one at a time; so a writer that finishes
        while others wait for the lock leaves the transaction open for them, and the last one
        of the run commits for all (at most MAX_BATCH). Each write that joins others runs in a
        SAVEPOINT of its own (the session's "create_savepoint" mode), so a failure, even one
        inside the session's flush, undoes that write only. Nobody returns before the commit
        that holds their changes, and a failed commit fails every write in it.
        """
        with self._state:
            self._waiting += 1
        self._write_lock.acquire()
        with self._state:
            self._waiting -= 1
        mine: _Batched | None = None
        try:
            writer = self._write_connection()
            if self._batch and not self._driver_in_transaction(writer):
                self._commit_batch()  # SQLite ended it early (a disk error): fail the batch
                writer = self._write_connection()  # failing it closed the old writer
            joining = bool(self._batch)  # the transaction holds others' uncommitted writes
            if not writer.in_transaction():
                writer.begin()  # BEGIN IMMEDIATE (see _configure_sqlite)
            # Alone in the transaction, a failure may roll all of it back; joining, only the
            # write's own savepoint.
            mode = "create_savepoint" if joining else "rollback_only"
            session = self._sessions(bind=writer, join_transaction_mode=mode)
            session.info[PENDING_EVENTS] = []
            try:
                yield session
                session.commit()  # releases this write's SAVEPOINT; the transaction stays open
                mine = _Batched(session.info.pop(PENDING_EVENTS))
            except BaseException:
                session.rollback()  # to this write's SAVEPOINT: the others' writes stay
                raise
            finally:
                session.close()
            self._batch.append(mine)
        finally:
            try:
                with self._state:
                    alone = self._waiting == 0
                if self._batch and (alone or len(self._batch) >= MAX_BATCH):
                    self._commit_batch()
                elif not self._batch and self._writer is not None:
                    self._writer.rollback()  # nothing in the transaction to keep
            finally:
                self._write_lock.release()
        assert mine is not None  # the write got through (an exception would have left above)
        mine.wait()
        if mine.error is not None:
            raise WriteNotCommitted("the write was not committed") from mine.error

    @staticmethod
    def _driver_in_transaction(writer: Connection) -> bool:
        """Whether SQLite itself still has the transaction open (it ends one on some errors)."""
        return bool(writer.connection.driver_connection.in_transaction)  # type: ignore[union-attr]

    def _commit_batch(self) -> None:
        """Commit the open transaction, publish its events in order, release its writers."""
        batch, self._batch = self._batch, []
        error: BaseException | None = None
        writer = self._writer
        assert writer is not None
        try:
            if not self._driver_in_transaction(writer):
                raise RuntimeError("SQLite ended the transaction before its commit")
            writer.commit()
        except BaseException as exc:
            error = exc
            # Closing the driver's connection is what surely ends SQLite's transaction (and
            # undoes it); the next write opens a fresh writer.
            with contextlib.suppress(Exception):
                writer.invalidate()
            writer.close()
            self._writer = None
        for waiting in batch:
            if error is None:
                # Published before the next writer may commit, so events arrive in commit
                # order; subscribers only enqueue, so this holds the lock for microseconds.
                for kind, office_id, data in waiting.events:
                    self.bus.publish(kind, office_id, data)
            waiting.finish(error)

    def _write_connection(self) -> Connection:
        """SQLite's writer connection (used under the write lock only)."""
        writer = self._writer
        if writer is None or writer.closed or writer.invalidated:
            if writer is not None:
                writer.close()
            writer = self._writer = self.engine.connect().execution_options(luot_write=True)
        return writer

    def dispose(self) -> None:
        """Stop the event bridge and close the writer and every pooled connection."""
        if self.bridge is not None:
            self.bridge.close()
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.engine.dispose()


def record_event(session: Session, kind: str, office_id: int, data: dict[str, Any]) -> None:
    """Queue an event to publish once the session's transaction has committed."""
    pending: list[tuple[str, int, dict[str, Any]]] | None = session.info.get(PENDING_EVENTS)
    if pending is None:
        raise RuntimeError("events can only be recorded inside Database.write_session()")
    pending.append((kind, office_id, data))
