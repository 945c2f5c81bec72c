"""What an announcement says and sounds like: its fields from a call event, then its WAV file."""

from __future__ import annotations

import itertools
import logging
import os
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

from ..events import TICKET_CALLED, TICKET_RECALLED, Event
from .announcement import FAILED, READY
from .audio import compose
from .cache import AudioCache
from .errors import SynthesisError
from .settings import VoiceSettings
from .speech import SpeechEngine
from .text import render_announcement
from .wavfile import write_wav

log = logging.getLogger(__name__)

KINDS = {TICKET_CALLED: "call", TICKET_RECALLED: "recall"}
CHIME_ONLY = "chime.wav"
_scratch_names = itertools.count(1)


def announcement_fields(event: Event, settings: VoiceSettings) -> dict[str, Any] | None:
    """The announcement of a call or recall event (text and speech filled in), or None when
    the event lacks a ticket number or counter."""
    ticket: dict[str, Any] = event.data.get("ticket") or {}
    counter: dict[str, Any] = event.data.get("counter") or {}
    number = ticket.get("number")
    counter_number = ticket.get("counter", counter.get("number"))
    if not number or counter_number is None:
        return None
    counter_name = ticket.get("counter_name") or counter.get("name")
    words = render_announcement(
        settings.active_template,
        number=str(number),
        counter=counter_number,
        language=settings.language,
        style=settings.number_style,
        southern=settings.southern,
        extra={"counter_name": counter_name or "", "service_name": ticket.get("service_name")},
    )
    return {
        "office_id": event.office_id,
        "kind": KINDS[event.kind],
        "ticket_id": ticket.get("id"),
        "ticket_number": str(number),
        "counter": counter_number,
        "counter_name": counter_name,
        "text": words.text,
        "speech": words.speech,
        "language": settings.language,
        "time": office_time(event.at, ticket),
    }


def office_time(at: datetime, ticket: dict[str, Any]) -> datetime:
    """`at` in the office's zone, read off the ticket's own times (they carry its UTC offset),
    so the API shows the announcement's time like every other time: in office time."""
    stamp = ticket.get("issued_at")
    try:
        zone = datetime.fromisoformat(stamp).tzinfo if isinstance(stamp, str) else None
    except ValueError:
        zone = None
    return at.astimezone(zone) if zone is not None else at


def produce_audio(
    speech: str, settings: VoiceSettings, engine: SpeechEngine, cache: AudioCache
) -> dict[str, Any]:
    """The announcement's audio fields: the cached file for `speech`, else a new one; the
    chime alone (status "failed") when no speech could be made."""
    key = cache.key(speech, settings)
    cached = cache.lookup(key)
    if cached is not None:
        return {
            "status": READY,
            "audio_path": cached,
            "duration": _duration(cached),
            "engine": "cache",
        }
    path = cache.path(key)
    scratch = cache.scratch(f"speech-{os.getpid()}-{next(_scratch_names)}")
    try:
        made = engine.announce(
            speech, path, scratch, with_chime=settings.chime, repeat=settings.repeat
        )
    except SynthesisError as failure:
        log.error("no speech for %r: %s", speech, failure)
        if not settings.chime:
            return {"status": FAILED, "error": str(failure)}
        # The chime alone is not stored under the words' key: the next call tries speech again.
        chime_only = cache.directory / CHIME_ONLY
        audio = compose(None, with_chime=True, repeat=settings.repeat)
        write_wav(chime_only, audio)
        return {
            "status": FAILED,
            "audio_path": chime_only,
            "duration": audio.duration,
            "engine": None,
            "error": str(failure),
        }
    return {"status": READY, "audio_path": path, "duration": made.duration, "engine": made.engine}


def _duration(path: Path) -> float | None:
    """Length of a WAV file from its header."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError, OSError):
        return None
