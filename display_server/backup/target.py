"""Which database a backup or a restore is about: a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..app import database_url, default_data_dir


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why, for whoever runs it."""


@dataclass(frozen=True)
class Target:
    """A database by URL: its kind, and the file when it is SQLite."""

    url: str
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None

    @property
    def suffix(self) -> str:
        """The file name ending of this kind's backups."""
        return ".db" if self.kind == "sqlite" else ".dump"

    @property
    def shown(self) -> str:
        """The URL without its password, for messages."""
        return str(self.path) if self.path else make_url(self.url).render_as_string()


def resolve_database_url(database: str | None, data_dir: Path | None) -> str:
    """--database, else $LUOT_DATABASE_URL, else SQLite in the data directory (as `luot serve`)."""
    if database:
        return database
    if os.environ.get("LUOT_DATABASE_URL"):
        return os.environ["LUOT_DATABASE_URL"]
    return database_url(resolve_data_dir(data_dir))


def resolve_data_dir(data_dir: Path | None) -> Path:
    """--data-dir, else $LUOT_DATA_DIR, else the per-user data directory (as `luot serve`)."""
    return Path(data_dir or os.environ.get("LUOT_DATA_DIR") or default_data_dir())


def parse_target(url: str) -> Target:
    """The target a database URL names; BackupError for what cannot be backed up."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BackupError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return Target(url, "sqlite", Path(parsed.database).expanduser().resolve())
    if backend == "postgresql":
        if not parsed.database:
            raise BackupError("the PostgreSQL URL names no database")
        return Target(url, "postgresql")
    raise BackupError(f"backups of {backend} databases are not supported (SQLite, PostgreSQL)")


def stamp(at: datetime) -> str:
    """A timestamp for file names (sorts as it reads)."""
    return at.strftime("%Y-%m-%d-%H%M%S")
