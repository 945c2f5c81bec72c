"""Back up, check and restore a Lượt database, whichever kind it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from ..schema import MIGRATIONS
from .postgres import check_postgres_backup, dump_postgres, has_tables, other_connections
from .postgres import restore_postgres as replay_dump
from .serving import processes_serving
from .sqlite_copy import backup_sqlite, check_sqlite_backup, restore_sqlite
from .target import BackupError, Target, parse_target, stamp


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    target: Target
    source: Path
    aside: Path | None


def backup_name(target: Target, at: datetime, prefix: str = "luot") -> str:
    """A dated backup file name, e.g. luot-2025-03-14-123000.db."""
    return f"{prefix}-{stamp(at)}{target.suffix}"


def make_backup(url: str, to: Path, at: datetime) -> Path:
    """Write a consistent, checked copy of the database at `url` to `to` (a file or a folder)."""
    target = parse_target(url)
    if to.is_dir():
        to = to / backup_name(target, at)
    elif not to.parent.is_dir():
        raise BackupError(f"the folder {to.parent} does not exist (is the drive plugged in?)")
    if target.kind == "sqlite":
        assert target.path is not None
        backup_sqlite(target.path, to)
    else:
        dump_postgres(url, to)
    return to


def _check_revision(revision: str, file: Path) -> None:
    """Refuse a backup from a newer Lượt, whose schema this version cannot read."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"{file} was made by a newer Lượt (schema {revision}): upgrade Lượt before restoring"
        )


def restore_backup(file: Path, url: str, aside_dir: Path, at: datetime) -> Restored:
    """Check `file`, then put it in place of the database at `url`, keeping the old one aside.

    Refuses while a server uses the database. The file must match the database's kind: a
    SQLite copy for SQLite, a pg_dump file for PostgreSQL.
    """
    target = parse_target(url)
    when = stamp(at)
    if target.kind == "sqlite":
        assert target.path is not None
        _check_revision(check_sqlite_backup(file), file)
        running = processes_serving(target.path)
        if running:
            pids = ", ".join(str(pid) for pid in running)
            raise BackupError(f"luot serve is running on {target.path} (process {pids}): stop it")
        aside = target.path.with_name(f"{target.path.name}.before-restore-{when}")
        kept = restore_sqlite(file, target.path, aside)
        return Restored(target, file, kept)
    _check_revision(check_postgres_backup(file), file)
    if other_connections(url):
        raise BackupError(
            f"other connections use {target.shown} (a running luot serve?): stop them first"
        )
    kept = None
    if has_tables(url):
        aside_dir.mkdir(parents=True, exist_ok=True)
        kept = aside_dir / f"luot-before-restore-{when}{target.suffix}"
        dump_postgres(url, kept)
    replay_dump(file, url)
    return Restored(target, file, kept)
