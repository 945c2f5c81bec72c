"""Turns call and recall events into announcements: words, checked audio, a bus event, playback.

One thread does the work in event order; the bus callback only queues. Nothing here can fail a
call: an engine that breaks leaves the chime alone, a missing speaker is logged once.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..events import Event, EventBus
from ..settings import SETTINGS_CHANGED
from .announcement import FAILED, PLAYED, Announcement, AnnouncementLog
from .cache import AudioCache
from .chime import chime
from .player import Player, default_backend
from .production import KINDS, announcement_fields, produce_audio
from .settings import VoiceSettings
from .speech import SpeechEngine

log = logging.getLogger(__name__)

ANNOUNCEMENT_READY = "announcement.ready"
_PRUNE_EVERY = 50  # new files between cache clean-ups
_POLL_SECONDS = 0.5  # how soon an abandoned announcer's thread notices


class Announcer:
    """Listens to the bus; owns the speech engine and (when playing on the server) a player."""

    def __init__(
        self,
        bus: EventBus,
        settings: VoiceSettings,
        cache_dir: Path,
        *,
        engine: SpeechEngine | None = None,
        player: Player | None = None,
        history: int = 200,
        reload: Callable[[], VoiceSettings | None] | None = None,
    ) -> None:
        self.bus = bus
        self.settings = settings
        self.reload = reload  # reads the settings again when administration changes them
        self.cache = AudioCache(cache_dir, settings.cache_files)
        self.engine = engine if engine is not None else SpeechEngine(settings)
        if player is None and settings.play_on_server:
            player = Player(default_backend(settings.player, settings.device))
        self.player = player
        self.log = AnnouncementLog(history)
        self._events: queue.Queue[Event | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._unsubscribe = bus.subscribe(self.on_event)
        self._new_files = 0

    def on_event(self, event: Event) -> None:
        """Bus callback: queue calls, recalls and voice settings changes; return at once."""
        if self._closed:
            return
        wanted = event.kind in KINDS and self.settings.enabled
        if wanted or (event.kind == SETTINGS_CHANGED and event.data.get("section") == "voice"):
            self.start()
            self._events.put(event)

    def start(self) -> None:
        """Start the announcer thread (which starts the speech worker), once."""
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="luot-voice", daemon=True)
                self._thread.start()
                atexit.register(self.shutdown)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every queued event has its audio (for tests, benchmarks and the CLI)."""
        deadline = time.monotonic() + timeout
        while self._events.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop listening, finish the announcement in hand, stop the worker and the player."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        self._unsubscribe()
        if thread is None:
            self.engine.close()
        elif thread is not threading.current_thread():
            self._events.put(None)  # wakes the thread now rather than at its next poll
            thread.join(timeout)
            if thread.is_alive():  # stuck in a synthesis: the worker goes without ceremony
                self.engine.terminate()
        if self.player is not None:
            self.player.close(timeout)

    def abandon(self) -> None:
        """Stop without waiting or taking a lock, for when the app was garbage-collected
        (this may run inside any thread): the threads notice within a poll and close the worker.
        """
        self._closed = True
        if self.player is not None:
            self.player.abandon()

    def _run(self) -> None:
        """Announce queued events in order until shut down."""
        try:
            if self.settings.enabled:
                self.engine.start()
            chime(22050)  # generated once now rather than during the first call
            self.cache.prune()
        except Exception:
            log.exception("speech worker could not be started")
        while not self._closed:
            try:
                event = self._events.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                if event is None or self._closed:
                    pass
                elif event.kind == SETTINGS_CHANGED:
                    self._reload()
                elif self.settings.enabled:
                    self.announce(event)
            except Exception:
                log.exception("announcement for event %s failed", getattr(event, "seq", "?"))
            finally:
                self._events.task_done()
        self.engine.close()

    def announce(self, event: Event) -> Announcement | None:
        """Make, record, publish and queue for playing the announcement of one event."""
        fields = announcement_fields(event, self.settings)
        if fields is None:
            log.warning("event %s has no ticket number or counter; not announced", event.seq)
            return None
        announcement = self.log.add(**fields)
        try:
            changes = produce_audio(announcement.speech, self.settings, self.engine, self.cache)
        except Exception as error:  # a full disk, an unwritable cache…: still publish the text
            log.exception("no audio for %r", announcement.text)
            changes = {"status": FAILED, "error": f"{type(error).__name__}: {error}"}
        if changes.get("engine") not in (None, "cache"):
            self._new_files += 1
            if self._new_files % _PRUNE_EVERY == 0:
                self.cache.prune(keep=self.log.audio_paths())
        ready = self.log.update(announcement.id, **changes) or announcement
        self.bus.publish(ANNOUNCEMENT_READY, event.office_id, ready.to_json())
        if self.player is not None and ready.audio_path is not None:
            self.player.enqueue(
                ready.audio_path, ready.duration or 0.0, lambda played: self._played(ready, played)
            )
        return ready

    def _reload(self) -> None:
        """Apply changed settings: a new worker or player only when what they use changed."""
        new = self.reload() if self.reload is not None else None
        old = self.settings
        if new is None or new == old:
            return
        self.settings = new
        self.cache.max_files = new.cache_files
        if _changed(old, new, "voice", "language", "rate", "volume", "enabled"):
            use_worker, use_cli = self.engine.use_worker, self.engine.use_cli
            self.engine.close()
            self.engine = SpeechEngine(new, use_worker=use_worker, use_cli=use_cli)
            if new.enabled:
                self.engine.start()
        if _changed(old, new, "play_on_server", "device", "player"):
            if self.player is not None:
                self.player.close()
            backend = default_backend(new.player, new.device)
            self.player = Player(backend) if new.play_on_server else None
        log.info("voice settings changed: %s", new)

    def _played(self, announcement: Announcement, played: bool) -> None:
        """Player callback: mark the announcement played."""
        if played:
            self.log.update(announcement.id, status=PLAYED)


def _changed(old: VoiceSettings, new: VoiceSettings, *names: str) -> bool:
    """Whether any of the named settings differ."""
    return any(getattr(old, name) != getattr(new, name) for name in names)
