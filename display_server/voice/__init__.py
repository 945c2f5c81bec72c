"""Spoken announcements: each call and recall is read aloud after a chime, on the server's
speaker and, through the API and the bus, on display pages in other rooms.

`init_app(app)` joins the app; the announcer and its speech worker start with the first call.
"""

from __future__ import annotations

import logging
import tempfile
import weakref
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .announcement import Announcement
from .settings import VoiceSettings

if TYPE_CHECKING:
    from flask import Flask

    from .announcer import Announcer

log = logging.getLogger(__name__)

EXTENSION_KEY = "luot.voice"

__all__ = ["EXTENSION_KEY", "VoiceExtension", "VoiceSettings", "init_app", "settings_for"]


class VoiceExtension:
    """What `init_app` leaves in `app.extensions["luot.voice"]`."""

    def __init__(self, announcer: Announcer | None) -> None:
        self.announcer = announcer

    @property
    def enabled(self) -> bool:
        """Whether calls are announced in this app right now."""
        return self.announcer is not None and self.announcer.settings.enabled

    def latest(self, limit: int = 20, office_id: int | None = None) -> list[Announcement]:
        """The newest announcements first."""
        return self.announcer.log.latest(limit, office_id) if self.announcer else []

    def get(self, announcement_id: int) -> Announcement | None:
        """One announcement, if still held in memory."""
        return self.announcer.log.get(announcement_id) if self.announcer else None

    def shutdown(self) -> None:
        """Stop the announcer thread, the speech worker process and the player."""
        if self.announcer is not None:
            self.announcer.shutdown()

    def _app_collected(self) -> None:
        """The app is gone (tests make many): let its threads and worker stop by themselves."""
        if self.announcer is not None:
            self.announcer.abandon()


def settings_for(app: Flask) -> VoiceSettings:
    """The effective [voice] settings (site file, then administration's changes);
    `LUOT_VOICE_ENABLED` in the app config overrides `enabled`."""
    settings = VoiceSettings.from_site({"voice": _voice_section(app)})
    override = app.config.get("LUOT_VOICE_ENABLED")
    return settings if override is None else replace(settings, enabled=bool(override))


def init_app(app: Flask) -> None:
    """Register the announcements API and an announcer on the app's bus.

    No announcer at all when `LUOT_VOICE_ENABLED` is false; with `enabled = false` in the
    settings it only waits for administration to turn voice on. Either way no process starts
    before the first announced call.
    """
    from ..extensions import get_bus
    from .announcer import Announcer
    from .api import blueprint
    from .openapi import describe

    announcer = None
    override = app.config.get("LUOT_VOICE_ENABLED")
    if override is None or override:
        app_ref = weakref.ref(app)

        def reload() -> VoiceSettings | None:
            current = app_ref()
            return settings_for(current) if current is not None else None

        try:
            cache_dir = _data_dir(app) / "voice-cache"
            announcer = Announcer(get_bus(app), settings_for(app), cache_dir, reload=reload)
        except OSError:  # e.g. a read-only data directory: the queue runs on without voice
            log.exception("voice announcements are off: the voice cache cannot be created")
    extension = VoiceExtension(announcer)
    app.extensions[EXTENSION_KEY] = extension
    app.register_blueprint(blueprint)
    describe(app)
    # Workers stop on `shutdown()`, at exit (see Announcer.start), or once the app is collected.
    weakref.finalize(app, extension._app_collected)


def _voice_section(app: Flask) -> Mapping[str, Any]:
    """The [voice] table: through the core's settings sections when the app has a database."""
    if "luot.db" in app.extensions:
        from ..settings import section

        return section(app, "voice")
    site: Mapping[str, Any] = app.config.get("LUOT_SITE") or {}
    table = site.get("voice")
    return table if isinstance(table, Mapping) else {}


def _data_dir(app: Flask) -> Path:
    """The server's data directory, or a temporary one when the app has none configured."""
    configured = app.config.get("LUOT_DATA_DIR")
    if configured:
        return Path(configured)
    fallback = Path(tempfile.gettempdir()) / "luot"
    log.warning("LUOT_DATA_DIR is not set; voice cache in %s", fallback)
    return fallback
