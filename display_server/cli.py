"""The `luot` command: serve, provision, and the subcommands features register."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .frontend import FrontEndError, add_serve_options

# Modules exposing `register_cli(subparsers)` that add subcommands of their own.
COMMAND_MODULES: list[str] = [
    "display_server.voice.cli",
    "display_server.printing",
    "counter_app.cli",
    "display_server.backup.cli",
    "display_server.boot",
]


def _app_from_args(args: argparse.Namespace) -> object:
    from .app import create_app

    config: dict[str, object] = {}
    if getattr(args, "site", None):
        config["LUOT_SITE_FILE"] = args.site
    if getattr(args, "database", None):
        config["LUOT_DATABASE_URL"] = args.database
    if getattr(args, "data_dir", None):
        config["LUOT_DATA_DIR"] = args.data_dir
    return create_app(config)


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """--site, --database and --data-dir, shared by every subcommand that opens the app."""
    parser.add_argument("--site", type=Path, help="site file (TOML) to provision from")
    parser.add_argument(
        "--database",
        help="database URL (default: $LUOT_DATABASE_URL, else SQLite in the data directory); "
        "PostgreSQL: postgresql+psycopg://user:password@host/dbname",
    )
    parser.add_argument("--data-dir", type=Path, help="where the SQLite file and caches live")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server."""
    from flask import Flask

    from .banner import banner
    from .frontend import front_end_from_args
    from .server import serve

    front = front_end_from_args(args)  # a bad certificate stops us before the app starts
    app = _app_from_args(args)
    assert isinstance(app, Flask)
    print(banner(app, front.scheme, args.host, args.port))
    officers = (app.config.get("LUOT_SITE") or {}).get("officers", [])
    if officers:
        print("  first sign-ins from the site file (each sets a password of their own then):")
        for item in officers:
            if item.get("password"):
                print(
                    f"    {item['username']} / {item['password']}  ({item.get('role', 'officer')})"
                )
    sys.stdout.flush()
    serve(app, args.host, args.port, front)
    return 0


def cmd_provision(args: argparse.Namespace) -> int:
    """Apply a site file to the database and exit."""
    _app_from_args(args)
    print(f"provisioned from {args.site}")
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    """Write a new migration from the models (for developers)."""
    from .db import create_database_engine
    from .schema import make_revision

    make_revision(create_database_engine(args.database), args.message)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="luot", description="Lượt — queue management")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("LUOT_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("LUOT_PORT", "8080")))
    add_app_options(serve)
    add_serve_options(serve)
    serve.set_defaults(func=cmd_serve)

    provision = sub.add_parser("provision", help="apply a site file and exit")
    add_app_options(provision)
    provision.set_defaults(func=cmd_provision)

    revision = sub.add_parser("db-revision", help="autogenerate a migration (developers)")
    revision.add_argument("--database", required=True)
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(func=cmd_db_revision)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `luot` command."""
    logging.basicConfig(
        level=os.environ.get("LUOT_LOG", "INFO"), format="%(levelname)s %(name)s: %(message)s"
    )
    from .site import SiteError  # imported here: worker processes re-import this module

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (SiteError, FrontEndError) as error:
        print(f"luot: {error}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
