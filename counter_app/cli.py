"""`luot counter` and `python -m counter_app`: open the counter window (options beat memory)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tkinter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import THEMES, ConfigStore, Settings, normalize_server, parse_counter
from .errors import ConfigError
from .i18n import LANGUAGES


def add_options(parser: argparse.ArgumentParser) -> None:
    """The counter app's options."""
    parser.add_argument("--server", help="server address, e.g. http://192.168.1.10:8080")
    parser.add_argument("--counter", help="counter number at this desk")
    parser.add_argument("--language", choices=LANGUAGES, help="vi (default) or en")
    parser.add_argument("--theme", choices=THEMES, help="light or dark")
    parser.add_argument(
        "--compact",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="narrow always-on-top window",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="settings file (default: counter_app.json in the user's config folder)",
    )


def register_cli(subparsers: Any) -> None:
    """Add the `counter` subcommand to the `luot` parser."""
    counter = subparsers.add_parser("counter", help="open the counter app (officers' window)")
    add_options(counter)
    counter.set_defaults(func=cmd_counter)


def resolve_settings(args: argparse.Namespace, store: ConfigStore) -> Settings:
    """What is remembered, with the command-line options on top."""
    settings = store.load()
    if args.server:
        settings = settings.with_changes(server=normalize_server(args.server))
    if args.counter is not None:
        settings = settings.with_changes(counter=parse_counter(args.counter))
    if args.language:
        settings = settings.with_changes(language=args.language)
    if args.theme:
        settings = settings.with_changes(theme=args.theme)
    if args.compact is not None:
        settings = settings.with_changes(compact=args.compact)
    return settings


def cmd_counter(args: argparse.Namespace) -> int:
    """Open the window and run until it is closed."""
    store = ConfigStore(args.config)
    try:
        settings = resolve_settings(args, store)
    except ConfigError as error:
        print(f"luot counter: {error.message}", file=sys.stderr)
        return 2
    from .ui.app import CounterApp  # Tk only when a window is really wanted

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per poll is noise
    try:
        app = CounterApp(settings, store=store)
    except tkinter.TclError as error:
        print(
            f"luot counter: cannot open a window ({error}); is a display available?",
            file=sys.stderr,
        )
        return 1
    try:
        app.mainloop()
    except KeyboardInterrupt:  # Ctrl+C in the terminal that started it
        app.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m counter_app`."""
    parser = argparse.ArgumentParser(
        prog="python -m counter_app", description="Lượt — the counter app for officers"
    )
    add_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("LUOT_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    return cmd_counter(args)
