"""Engines and sessions: durable SQLite (WAL, BEGIN IMMEDIATE) or PostgreSQL, events after commit.

Writes go through `write_session`. On SQLite one writer runs at a time: an in-process lock
queues the threads fairly (SQLite's own busy handler sleeps in steps that ruin latency) and
BEGIN IMMEDIATE takes the database write lock up front, so a second process waits instead of
failing half-way. PostgreSQL needs neither: the queue engine claims rows with
FOR UPDATE SKIP LOCKED and numbers tickets with an atomic upsert.
"""

from __future__ import annotations

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

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("luot_write", False)
        # Straight to the driver: nothing to compile, bind or read back.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
        """A write transaction: commits on success, then publishes the events it recorded."""
        lock = self._write_lock if self.is_sqlite else None
        if lock is not None:
            lock.acquire()
        try:
            with self._sessions(bind=self._write_connection()) as session:
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
                events: list[tuple[str, int, dict[str, Any]]] = session.info.pop(PENDING_EVENTS)
            # Published before the next writer may commit, so events arrive in commit order;
            # subscribers only enqueue, so this holds the lock for microseconds.
            for kind, office_id, data in events:
                self.bus.publish(kind, office_id, data)
        finally:
            if lock is not None:
                lock.release()

    def _write_connection(self) -> Connection | Engine:
        """What a write session binds to: SQLite's writer connection (under the write lock),
        or the engine (PostgreSQL: a pooled connection per transaction)."""
        if not self.is_sqlite:
            return self.engine
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
