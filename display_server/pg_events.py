"""Events across server processes sharing one PostgreSQL database, through LISTEN/NOTIFY.

Each write transaction NOTIFYs its events (PostgreSQL delivers them only if it commits, and in
commit order); a listener thread per process republishes other processes' events on the local
bus, so a display connected to any process sees every call.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from .events import EventBus

log = logging.getLogger(__name__)

CHANNEL = "luot_events"
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


class PostgresEventBridge:
    """Sends this process's events to the others and publishes theirs here."""

    def __init__(self, engine: Engine, bus: EventBus) -> None:
        self.origin = uuid.uuid4().hex
        self.bus = bus
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="luot-pg-events", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def notify(self, session: Session, kind: str, office_id: int, data: dict[str, Any]) -> None:
        """Queue `kind` for the other processes; delivered when the transaction commits."""
        payload = json.dumps(
            {"origin": self.origin, "kind": kind, "office_id": office_id, "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if len(payload.encode()) > MAX_PAYLOAD:
            # Too big for NOTIFY: other processes still learn that something changed.
            payload = json.dumps(
                {"origin": self.origin, "kind": kind, "office_id": office_id, "data": {}}
            )
        session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5, stop_after=None):
                            self._deliver(note.payload)
            except psycopg.Error:
                log.warning("event listener lost PostgreSQL; reconnecting", exc_info=True)
                self._ready.set()
                self._stop.wait(1.0)

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if message.get("origin") == self.origin:
            return
        self.bus.publish(message["kind"], int(message["office_id"]), message["data"])

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(5)
