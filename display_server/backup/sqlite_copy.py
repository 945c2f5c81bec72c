"""SQLite: a consistent copy with the online backup API, checked; and putting one back.

The backup API copies the database as one read transaction sees it, so writes the server
commits meanwhile (WAL) are either wholly in the copy or wholly not; copying the file would
miss what is still in the -wal file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from .target import BackupError


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a database file."""
    return sqlite3.connect(f"file:{quote(path.as_posix())}?mode=ro", uri=True, timeout=30)


def _integrity(connection: sqlite3.Connection) -> str:
    """PRAGMA integrity_check's verdict: "ok" or the first problems it found."""
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows[:5])


def _fsync(path: Path) -> None:
    """Flush a file (or, on POSIX, a folder's entries) to the disk."""
    folder = path.is_dir()
    if folder and os.name == "nt":
        return  # Windows cannot open a folder to flush it; its renames are journaled
    fd = os.open(path, os.O_RDONLY if folder else os.O_RDWR)  # Windows flushes writable files
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_sqlite(source: Path, to: Path) -> None:
    """Copy the live database `source` to `to` (a single self-contained file), checked."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    partial = to.with_name(f".{to.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as live:
            with contextlib.closing(sqlite3.connect(partial)) as copy:
                # One step (pages=-1): the whole copy comes from one read transaction, which
                # in WAL mode never blocks the server's writers.
                live.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy
                verdict = _integrity(copy)
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        _fsync(partial)
        os.replace(partial, to)
        _fsync(to.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"could not write {to}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def check_sqlite_backup(file: Path) -> str:
    """Check a backup file: intact, and a Lượt database. Returns its schema revision."""
    if not file.is_file():
        raise BackupError(f"no such file: {file}")
    try:
        with contextlib.closing(_read_only(file)) as connection:
            verdict = _integrity(connection)
            if verdict != "ok":
                raise BackupError(f"{file} is damaged: integrity check says {verdict}")
            try:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                row = None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not a SQLite database: {exc}") from exc
    if row is None:
        raise BackupError(f"{file} is not a Lượt database (no schema version in it)")
    return str(row[0])


def restore_sqlite(file: Path, target: Path, aside: Path) -> Path | None:
    """Put the backup `file` in place of `target`; the replaced database goes to `aside`.

    The target is held with an exclusive lock from the first check to the end, so a program
    that has it open makes this refuse, and none can open it meanwhile. Returns `aside`, or
    None when there was no database to keep.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    kept: Path | None = None
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=0, isolation_level=None)) as db:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            try:
                db.execute("BEGIN EXCLUSIVE")
            except sqlite3.OperationalError as exc:
                raise BackupError(
                    f"{target} is in use by another program (a running luot serve?): stop it first"
                ) from exc
            db.execute("COMMIT")  # in exclusive locking mode the lock stays until closing
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                with contextlib.closing(sqlite3.connect(aside)) as keep:
                    db.backup(keep)
                    keep.execute("PRAGMA journal_mode=DELETE")
                _fsync(aside)
                kept = aside
            with contextlib.closing(_read_only(file)) as source:
                source.backup(db)
            verdict = _integrity(db)
            if verdict != "ok":
                raise BackupError(f"the restored database failed its integrity check: {verdict}")
            db.execute("PRAGMA journal_mode=WAL")  # as the server keeps it
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore into {target}: {exc}") from exc
    return kept
