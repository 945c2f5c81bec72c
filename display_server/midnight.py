"""The day-end rule in the running app: applied at start-up, then by a light check in `luot serve`
that wakes at each local midnight (and every minute, for a rule changed in administration)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from .db import Database
from .extensions import add_serve_task
from .queue.clock import local_day, utc_now
from .queue.day_end import CANCEL, apply_day_end, end_of_day, parse_at_day_end
from .queue.records import find_office
from .settings import section

log = logging.getLogger(__name__)

SECTION = "queue"
WATCH_KEY = "luot.day_end"
CHECK_SECONDS = 60.0
# Woken this long after midnight, so the check is sure to fall on the new day.
PAST_MIDNIGHT = timedelta(seconds=1)


def _clock(app: Flask) -> Callable[[], datetime]:
    clock: Callable[[], datetime] | None = app.config.get("LUOT_CLOCK")
    return clock or utc_now


def day_end_rule(app: Flask) -> str:
    """The rule in force: `[queue] at_day_end` of the site file, or administration's."""
    return parse_at_day_end(section(app, SECTION).get("at_day_end"))


def close_day_end(app: Flask) -> float:
    """Apply the day-end rule now; the seconds until it should be checked again."""
    db: Database = app.extensions["luot.db"]
    now = _clock(app)()
    rule = day_end_rule(app)
    with db.write_session() if rule == CANCEL else db.read_session() as session:
        office = find_office(session)
        closed = apply_day_end(session, office, now, rule)
        next_day = end_of_day(office, local_day(office, now))
    if closed:
        log.info("closed %d tickets left waiting at the end of their day", len(closed))
    until_midnight = (next_day + PAST_MIDNIGHT - now).total_seconds()
    return max(0.0, min(CHECK_SECONDS, until_midnight))


class DayEndWatch:
    """The background check of `luot serve`; `shutdown` ends it."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def run(self, app: Flask) -> None:
        """Apply the rule at every midnight and every minute until shut down."""
        while not self._stop.is_set():
            try:
                delay = close_day_end(app)
            except Exception:  # a database hiccup must not end the watch; try again later
                log.exception("applying the day-end rule failed")
                delay = CHECK_SECONDS
            self._stop.wait(delay)

    def shutdown(self) -> None:
        """Stop the check."""
        self._stop.set()


def watch_day_end(app: Flask) -> None:
    """The serve task: run the app's day-end watch."""
    watch: DayEndWatch = app.extensions[WATCH_KEY]
    watch.run(app)


def init_app(app: Flask) -> None:
    """Apply the rule once (a restart across midnight closes what the night left) and
    register the check that `luot serve` runs."""
    close_day_end(app)
    app.extensions[WATCH_KEY] = DayEndWatch()
    add_serve_task(app, watch_day_end)
