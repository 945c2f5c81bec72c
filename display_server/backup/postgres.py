"""PostgreSQL: backups are pg_dump's custom format; a restore replays one in one transaction.

The password travels in PGPASSWORD, never on a command line other users can read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from .target import BackupError

INSTALL_HINT = (
    "install PostgreSQL's client programs (Debian, Ubuntu: sudo apt-get install "
    "postgresql-client; Windows: add PostgreSQL's bin folder to PATH)"
)
# Raised inside the restore's own transaction, so no server can have connected in between.
REFUSE_IF_CONNECTED = """DO $$ BEGIN
IF EXISTS (SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()) THEN
  RAISE EXCEPTION 'another connection uses this database (a running luot serve?)';
END IF; END $$;"""


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a BackupError saying how to get it."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: {INSTALL_HINT}")
    return found


def _run(command: list[str], env: dict[str, str]) -> str:
    """Run a client program; its error output becomes the BackupError's message."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' '.join(detail[-3:])}")
    return done.stdout


def dump_postgres(url: str, to: Path) -> None:
    """pg_dump the database to `to` (custom format), checked before it takes the name."""
    conninfo, env = libpq(url)
    partial = to.with_name(f".{to.name}.partial-{os.getpid()}")
    try:
        _run([tool("pg_dump"), "--format=custom", "--file", str(partial), conninfo], env)
        check_postgres_backup(partial)
        os.replace(partial, to)
    except OSError as exc:
        raise BackupError(f"could not write {to}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def check_postgres_backup(file: Path) -> str:
    """Check a dump: pg_restore reads it and finds Lượt's schema version. Returns the version."""
    if not file.is_file():
        raise BackupError(f"no such file: {file}")
    data = _run(
        [tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(file)],
        dict(os.environ),
    )
    lines = data.splitlines()
    for number, line in enumerate(lines[:-1]):
        if line.startswith("COPY public.alembic_version ") and lines[number + 1] != "\\.":
            return lines[number + 1].strip()
    raise BackupError(f"{file} is not a Lượt database (no schema version in it)")


def other_connections(url: str) -> int:
    """How many other sessions use the database now."""
    conninfo, env = libpq(url)
    try:
        with psycopg.connect(conninfo, password=env.get("PGPASSWORD"), connect_timeout=10) as db:
            row = db.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to PostgreSQL: {exc}") from exc
    return int(row[0]) if row else 0


def has_tables(url: str) -> bool:
    """Whether the database holds any table of its own yet."""
    conninfo, env = libpq(url)
    with psycopg.connect(conninfo, password=env.get("PGPASSWORD"), connect_timeout=10) as db:
        row = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return bool(row and row[0])


def restore_postgres(file: Path, url: str) -> None:
    """Replace the database's public schema with the dump's, all or nothing."""
    conninfo, env = libpq(url)
    with tempfile.TemporaryDirectory(prefix="luot-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run(
            [tool("pg_restore"), "--no-owner", "--no-privileges", "--file", str(script), str(file)],
            env,
        )
        _run(
            [
                tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--command",
                REFUSE_IF_CONNECTED,
                "--command",
                "DROP SCHEMA public CASCADE",
                "--command",
                "CREATE SCHEMA public",
                "--file",
                str(script),
                conninfo,
            ],
            env,
        )
