"""Announcements kept in memory: what was said for which call, and where its audio is."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PENDING, READY, PLAYING, PLAYED, FAILED = "pending", "ready", "playing", "played", "failed"
AUDIO_URL = "/api/v1/announcements/{id}/audio"


@dataclass(frozen=True)
class Announcement:
    """One spoken call or recall. `status`: pending → ready → playing → played, or failed
    (speech could not be made: the audio is the chime alone)."""

    id: int
    office_id: int
    kind: str  # "call" or "recall"
    ticket_id: int | None
    ticket_number: str
    counter: object
    counter_name: str | None
    text: str
    speech: str
    language: str
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: str = PENDING
    audio_path: Path | None = None
    duration: float | None = None
    engine: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The API and "announcement.ready" shape."""
        return {
            "id": self.id,
            "office_id": self.office_id,
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            "ticket_number": self.ticket_number,
            "counter": self.counter,
            "counter_name": self.counter_name,
            "text": self.text,
            "language": self.language,
            "time": self.time.isoformat(),
            "status": self.status,
            "audio_url": AUDIO_URL.format(id=self.id) if self.audio_path else None,
            "duration": round(self.duration, 3) if self.duration is not None else None,
            "engine": self.engine,
            "error": self.error,
        }


class AnnouncementLog:
    """The latest announcements, newest last; safe to read from request threads."""

    def __init__(self, size: int = 200) -> None:
        self._lock = threading.Lock()
        self._items: deque[Announcement] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def add(self, **values: Any) -> Announcement:
        """Record a new announcement with the next id."""
        with self._lock:
            announcement = Announcement(id=next(self._ids), **values)
            self._items.append(announcement)
        return announcement

    def update(self, announcement_id: int, **changes: Any) -> Announcement | None:
        """Replace fields of a recorded announcement; None if it is no longer held."""
        with self._lock:
            for index, item in enumerate(self._items):
                if item.id == announcement_id:
                    self._items[index] = replace(item, **changes)
                    return self._items[index]
        return None

    def get(self, announcement_id: int) -> Announcement | None:
        """The announcement with this id, if still held."""
        with self._lock:
            return next((a for a in self._items if a.id == announcement_id), None)

    def latest(self, limit: int = 20, office_id: int | None = None) -> list[Announcement]:
        """Up to `limit` announcements, newest first."""
        with self._lock:
            items = [a for a in reversed(self._items) if office_id in (None, a.office_id)]
        return items[:limit]

    def audio_paths(self) -> set[Path]:
        """Audio files still referred to (kept when the cache is pruned)."""
        with self._lock:
            return {a.audio_path for a in self._items if a.audio_path is not None}
