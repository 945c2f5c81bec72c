"""Storage failures by name (a full disk, a read-only database, an I/O error, on SQLite or
PostgreSQL) wherever they sit in an exception chain, and `probe_storage`: a cheap write, rolled
back, that finds them before a citizen taps the kiosk."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, DisconnectionError

from .db import Database, WriteNotCommitted

log = logging.getLogger(__name__)

Reason = Literal["disk_full", "read_only", "io_error", "unreachable"]
CODE = "storage_unavailable"
# English in translations/en/LC_MESSAGES/storage.po.
MESSAGES: dict[str, str] = {
    "disk_full": "Ổ đĩa của máy chủ đã đầy nên chưa ghi được dữ liệu. "
    "Thao tác chưa được thực hiện; vui lòng báo cán bộ kỹ thuật.",
    "read_only": "Cơ sở dữ liệu đang ở chế độ chỉ đọc nên chưa ghi được dữ liệu. "
    "Thao tác chưa được thực hiện; vui lòng báo cán bộ kỹ thuật.",
    "io_error": "Máy chủ gặp lỗi khi ghi dữ liệu xuống ổ đĩa. "
    "Thao tác chưa được thực hiện; vui lòng báo cán bộ kỹ thuật.",
    "unreachable": "Máy chủ không kết nối được cơ sở dữ liệu. "
    "Thao tác chưa được thực hiện; vui lòng báo cán bộ kỹ thuật.",
}
TITLE = "Tạm ngừng phục vụ"

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_CODES: dict[int, Reason] = {
    13: "disk_full",  # SQLITE_FULL
    8: "read_only",  # SQLITE_READONLY
    10: "io_error",  # SQLITE_IOERR
    14: "io_error",  # SQLITE_CANTOPEN: the file or its journal cannot be opened
}
# The same, by message, for drivers or wrappers that give no code.
_SQLITE_MESSAGES: dict[str, Reason] = {
    "database or disk is full": "disk_full",
    "attempt to write a readonly database": "read_only",
    "disk i/o error": "io_error",
}
_SQLSTATES: dict[str, Reason] = {
    "53100": "disk_full",  # disk_full
    "25006": "read_only",  # read_only_sql_transaction (also a hot standby)
    "58030": "io_error",  # io_error
    "57P01": "unreachable",  # admin_shutdown
    "57P02": "unreachable",  # crash_shutdown
    "57P03": "unreachable",  # cannot_connect_now
}
_ERRNOS: dict[int, Reason] = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EROFS: "read_only",
    errno.EIO: "io_error",
}
# A write that needs a page of its own: a full SQLite database refuses it as a ticket would.
_PROBES = {
    "sqlite": text("CREATE TABLE luot_storage_probe (id INTEGER)"),
    "postgresql": text("UPDATE office SET id = id WHERE false"),
}
PROBE_BYTES = 64 * 1024  # about what a shared commit adds to SQLite's write-ahead log
REUSE_SECONDS = 1.0  # how long health?deep=1 reuses a good probe (anyone may ask for one)
_READ_ONLY_SESSION = "luot.read_only_session"
_USED = "luot.read_only_session_used"


class _RolledBack(Exception):
    """Raised inside the probe's transaction so that it rolls back."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, the driver errors it wraps, and the errors it was raised from (each once)."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for cause in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(cause, BaseException):
                pending.append(cause)


def _reason_of(error: BaseException) -> Reason | None:
    """The storage failure one exception names, if any."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_CODES:
            return _SQLITE_CODES[code & 0xFF]
    if isinstance(error, psycopg.Error):
        state = error.sqlstate or ""
        if state in _SQLSTATES:
            return _SQLSTATES[state]
        if isinstance(error, psycopg.OperationalError) and (not state or state[:2] == "08"):
            return "unreachable"  # no server, or the connection broke
    if isinstance(error, OSError) and error.errno in _ERRNOS:
        return _ERRNOS[error.errno]
    if isinstance(error, sqlite3.Error | DBAPIError):
        message = str(error).lower()
        return next((r for m, r in _SQLITE_MESSAGES.items() if m in message), None)
    return None


def storage_failure(error: BaseException) -> Reason | None:
    """Why storage refused this write, or None when `error` is not a storage failure.

    `WriteNotCommitted` always is one: the group commit lost the write with the transaction
    it shared (SQLite ended it, or its commit failed)."""
    for link in _chain(error):
        reason = _reason_of(link)
        if reason is not None:
            return reason
    return "io_error" if isinstance(error, WriteNotCommitted) else None


def probe_storage(db: Database) -> Reason | None:
    """Whether the database answers and would store a write now: a read, a write through the
    writers' own path, rolled back, and for a SQLite file a few kilobytes written and removed
    beside it (a rolled-back write never reaches the disk, so it cannot meet a full one).
    None when all is well."""
    try:
        with db.read_session() as session:
            session.execute(text("SELECT 1"))
        with db.write_session() as session:
            session.execute(_PROBES.get(db.engine.dialect.name, _PROBES["postgresql"]))
            raise _RolledBack
    except _RolledBack:
        pass
    except Exception as error:
        reason = storage_failure(error)
        if reason is None:
            raise
        return reason
    folder = _database_folder(db.engine)
    return _probe_folder(folder) if folder is not None else None


class StorageWatch:
    """The probe behind health?deep=1 for one database. Anyone may ask, and each probe takes the
    write lock, so a good answer is reused for REUSE_SECONDS, unless a write failed since."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()  # one probe at a time; the others wait for its answer
        self._good_until = 0.0

    def probe(self) -> Reason | None:
        """`probe_storage`, or None if it said all is well less than REUSE_SECONDS ago."""
        with self._lock:
            if time.monotonic() < self._good_until:
                return None
            reason = probe_storage(self.db)
            self._good_until = time.monotonic() + REUSE_SECONDS if reason is None else 0.0
            return reason

    def failed(self) -> None:
        """A write met a storage failure: the next probe looks again."""
        self._good_until = 0.0


def _database_folder(engine: Engine) -> Path | None:
    """The folder of a SQLite database file (None for PostgreSQL or an in-memory database)."""
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:":
        return None
    return Path(name.removeprefix("file:").partition("?")[0]).parent


def _probe_folder(folder: Path) -> Reason | None:
    """Write PROBE_BYTES into `folder` and remove them; the failure's reason, if any."""
    path = folder / f".luot-storage-probe-{uuid.uuid4().hex}"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return _ERRNOS.get(error.errno or 0)
    try:
        left = memoryview(bytes(PROBE_BYTES))
        while left:  # a disk nearly full takes part of a write without an error
            left = left[os.write(descriptor, left) :]
    except OSError as error:
        return _ERRNOS.get(error.errno or 0)
    finally:
        os.close(descriptor)
        path.unlink(missing_ok=True)
    return None


def watch_engine(engine: Engine) -> None:
    """Let PostgreSQL sessions that cannot write go, so the server writes again as soon as the
    database does: a session keeps the read-only default it started with, so one that started
    read-only serves a single checkout, and one that meets a read-only transaction is dropped."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SHOW default_transaction_read_only")
            row = cursor.fetchone()
        finally:
            cursor.close()
        dbapi_connection.rollback()
        record.info[_READ_ONLY_SESSION] = bool(row and row[0] == "on")

    @event.listens_for(engine, "checkout")
    def on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(_READ_ONLY_SESSION):
            if record.info.get(_USED):
                raise DisconnectionError("the session started read-only")  # the pool replaces it
            record.info[_USED] = True

    @event.listens_for(engine, "handle_error")
    def on_error(context: ExceptionContext) -> None:
        original: Any = context.original_exception
        if isinstance(original, psycopg.Error) and original.sqlstate == "25006":
            context.is_disconnect = True  # the pool opens fresh sessions from now on
