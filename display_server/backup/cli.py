"""`luot backup` and `luot restore`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

# The backup modules are imported by the commands themselves: they bring the app and Alembic,
# which every other `luot` command (the counter app's too) would otherwise load at start.


def register_cli(subparsers: Any) -> None:
    """Add `luot backup` and `luot restore` to the `luot` parser."""
    from ..cli import add_app_options

    backup = subparsers.add_parser(
        "backup", help="copy the database while the server runs (to a file or a folder)"
    )
    add_app_options(backup)
    backup.add_argument(
        "--to",
        type=Path,
        help="the backup file, or a folder for a dated name (default: [backup] dir of --site)",
    )
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore", help="put a backup back (the server must be stopped)"
    )
    restore.add_argument("--from", dest="source", type=Path, required=True, help="backup file")
    add_app_options(restore)
    restore.set_defaults(func=cmd_restore)


def _size(path: Path) -> str:
    """A file's size for people."""
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a consistent copy of the database and say where."""
    from ..site import load_site
    from .daily import BackupSettings
    from .operations import make_backup
    from .target import BackupError, resolve_database_url

    url = resolve_database_url(args.database, args.data_dir)
    to: Path | None = args.to
    if to is None and args.site:
        settings = BackupSettings.from_table(load_site(args.site).get("backup"), args.site.parent)
        to = settings.dir if settings else None
    if to is None:
        print(
            "luot backup: say where with --to FILE (or --site with a [backup] dir)", file=sys.stderr
        )
        return 2
    try:
        written = make_backup(url, to, datetime.now().astimezone())
    except BackupError as error:
        print(f"luot backup: {error}", file=sys.stderr)
        return 1
    print(f"backed up to {written} ({_size(written)}), checked")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database, keeping the replaced one aside."""
    from ..site import SiteError
    from .operations import restore_backup
    from .target import BackupError, resolve_data_dir, resolve_database_url

    url = resolve_database_url(args.database, args.data_dir)
    try:
        done = restore_backup(
            args.source, url, resolve_data_dir(args.data_dir), datetime.now().astimezone()
        )
    except (BackupError, SiteError) as error:
        print(f"luot restore: {error}", file=sys.stderr)
        return 1
    print(f"restored {done.source} into {done.target.shown}, checked")
    if done.aside is not None:
        print(f"the database it replaced is kept as {done.aside}")
    else:
        print("there was no database there before")
    print("start the server again (luot serve, or the service) to go on")
    return 0
