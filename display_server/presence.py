"""Hearing the counter apps: each API request signed in at a counter notes that counter as heard;
a watcher on `luot serve` marks silent counters and closes the long silent (queue.presence).

Site file `[presence]`: `silent_after_seconds` (default 90; the app asks at least every 15 s),
`close_after_minutes` (default 20; 0 never closes a counter for silence).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, request

from .api.context import bearer_token
from .auth import resolve_caller
from .db import Database
from .extensions import add_serve_task
from .queue.clock import utc_now
from .queue.lookups import get_office
from .queue.presence import PresenceRules, note_seen, review_presence
from .site import SiteError

log = logging.getLogger(__name__)

EXTENSION_KEY = "luot.presence"
WATCH_SECONDS = 5.0
TOKEN_CACHE_SECONDS = 300.0


def rules_from(table: Mapping[str, Any]) -> PresenceRules:
    """The [presence] table as rules; raises SiteError naming a bad key."""
    silent = table.get("silent_after_seconds", 90)
    close = table.get("close_after_minutes", 20)
    if isinstance(silent, bool) or not isinstance(silent, int) or not 20 <= silent <= 3600:
        raise SiteError("[presence] silent_after_seconds must be a whole number, 20–3600")
    if isinstance(close, bool) or not isinstance(close, int) or not 0 <= close <= 24 * 60:
        raise SiteError("[presence] close_after_minutes must be a whole number, 0–1440")
    closing = timedelta(minutes=close) if close else None
    if closing is not None and closing <= timedelta(seconds=silent):
        raise SiteError("[presence] close_after_minutes must be longer than silent_after_seconds")
    return PresenceRules(timedelta(seconds=silent), closing)


class PresenceTracker:
    """Counters heard since the last review (in memory), and the review that writes them."""

    def __init__(self, db: Database, rules: PresenceRules, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.rules = rules
        self.clock = clock
        self.started_at = clock()
        self._heard: dict[int, datetime] = {}
        self._counters: dict[str, tuple[int | None, float]] = {}  # token digest → counter
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def note_request(self, raw_token: str) -> None:
        """A request signed in with `raw_token` arrived: its counter (if any) is heard now."""
        digest = hashlib.sha256(raw_token.encode()).hexdigest()
        with self._lock:
            cached = self._counters.get(digest)
        if cached is None or time.monotonic() > cached[1]:
            with self.db.read_session() as session:
                caller = resolve_caller(session, raw_token, self.clock())
            counter_id = caller.counter_id if caller is not None else None
            cached = (counter_id, time.monotonic() + TOKEN_CACHE_SECONDS)
            with self._lock:
                if len(self._counters) > 10_000:
                    self._counters.clear()  # tokens of a long run; the live ones come back
                self._counters[digest] = cached
        if cached[0] is not None:
            with self._lock:
                self._heard[cached[0]] = self.clock()

    def review(self) -> list[tuple[int, str]]:
        """Write what was heard, then mark, clear or close counters as their silence says."""
        with self._lock:
            heard, self._heard = self._heard, {}
        now = self.clock()
        with self.db.write_session() as session:
            note_seen(session, heard)
            session.flush()
            changes = review_presence(
                session, get_office(session), now, self.rules, self.started_at
            )
        for number, change in changes:
            log.warning("counter %s: %s (its officer's app)", number, change)
        return changes

    def watch(self, _app: Flask) -> None:
        """`luot serve` start-up task: review every few seconds, for as long as the server runs."""
        while not self._stopped.wait(WATCH_SECONDS):
            try:
                self.review()
            except Exception:  # a busy or failing database: the next review tries again
                log.exception("reviewing the counters' presence failed")

    def shutdown(self) -> None:
        """Stop the watcher."""
        self._stopped.set()


def _note(response: Response) -> Response:
    """After each API request: a counter app's signed-in request means it is alive."""
    if request.path.startswith("/api/") and response.status_code != 401:
        raw = bearer_token()
        if raw is not None:
            tracker: PresenceTracker = current_app.extensions[EXTENSION_KEY]
            try:
                tracker.note_request(raw)
            except Exception:  # presence is a hint: never fail the answer over it
                log.debug("noting a counter's presence failed", exc_info=True)
    return response


def init_app(app: Flask) -> None:
    """Note signed-in requests; `luot serve` reviews the counters' presence every few seconds."""
    site = app.config.get("LUOT_SITE") or {}
    rules = rules_from(site.get("presence") or {})
    clock: Callable[[], datetime] = app.config.get("LUOT_CLOCK") or utc_now
    tracker = PresenceTracker(app.extensions["luot.db"], rules, clock)
    app.extensions[EXTENSION_KEY] = tracker
    app.after_request(_note)
    add_serve_task(app, tracker.watch)
