"""Finished announcement WAVs on disk, named by a hash of their words and the voice settings."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from .settings import VoiceSettings
from .wavfile import EMPTY_WAV_BYTES

FORMAT_VERSION = 1  # bump when the chime, gaps or layout change so old files are not reused


class AudioCache:
    """A directory of WAV files, least recently used first out once there are too many."""

    def __init__(self, directory: Path, max_files: int = 500) -> None:
        self.directory = directory
        self.max_files = max_files
        self.directory.mkdir(parents=True, exist_ok=True)

    def key(self, speech: str, settings: VoiceSettings) -> str:
        """A name for the audio of `speech` as these settings would make it."""
        parts = [
            FORMAT_VERSION,
            speech,
            settings.language,
            settings.voice,
            settings.rate,
            settings.volume,
            settings.repeat,
            settings.chime,
        ]
        encoded = json.dumps(parts, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()[:32]

    def path(self, key: str) -> Path:
        """Where the audio for `key` lives (whether or not it exists yet)."""
        return self.directory / f"{key}.wav"

    def scratch(self, name: str) -> Path:
        """A path for a temporary file next to the cache (same file system)."""
        return self.directory / f"{name}.tmp.wav"

    def lookup(self, key: str) -> Path | None:
        """The cached file for `key`, marked as recently used, or None."""
        path = self.path(key)
        try:
            if path.stat().st_size <= EMPTY_WAV_BYTES:
                return None
            os.utime(path)
        except OSError:
            return None
        return path

    def prune(self, keep: set[Path] | None = None) -> int:
        """Delete the least recently used files beyond `max_files` (never those in `keep`)."""
        entries = []
        for path in self.directory.glob("*.wav"):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
        excess = len(entries) - self.max_files
        removed = 0
        for _, path in sorted(entries):
            if removed >= excess:
                break
            if keep and path in keep:
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed
