"""Plays announcement WAVs on the server's sound device, one at a time, on a thread of its own.

Backends share one shape (`play(path, seconds)`, blocking until the sound ends): a command line
(aplay, paplay, afplay, or one from the site file) or Windows' `winsound`.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from .errors import PlaybackError

log = logging.getLogger(__name__)


class Backend(Protocol):
    """Something that plays a WAV file and returns when it has finished."""

    def play(self, path: Path, seconds: float) -> None:
        """Play `path` (about `seconds` long) to the end, or raise PlaybackError."""


class CommandBackend:
    """A player command; "{file}" in it is replaced by the path (appended when absent)."""

    def __init__(self, args: list[str]) -> None:
        self.args = args

    def play(self, path: Path, seconds: float) -> None:
        """Run the command and wait for it."""
        if "{file}" in self.args:
            args = [arg.replace("{file}", str(path)) for arg in self.args]
        else:
            args = [*self.args, str(path)]
        try:
            done = subprocess.run(
                args, capture_output=True, timeout=seconds + 15.0, check=False, close_fds=True
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PlaybackError(f"{self.args[0]}: {error}") from error
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            message = lines[-1] if lines else ""
            raise PlaybackError(f"{self.args[0]} exited {done.returncode}: {message}")

    def __repr__(self) -> str:
        return f"CommandBackend({self.args!r})"


class WinsoundBackend:
    """Windows' built-in player (synchronous `PlaySound`)."""

    def play(self, path: Path, seconds: float) -> None:
        """Play through the default output device."""
        if sys.platform != "win32":
            raise PlaybackError("winsound exists only on Windows")
        import winsound

        try:
            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_NODEFAULT)
        except RuntimeError as error:
            raise PlaybackError(f"winsound: {error}") from error


def default_backend(command: list[str] | None = None, device: str = "") -> Backend | None:
    """The configured command, else the platform's player; None when there is none."""
    if command:
        return CommandBackend(command)
    if sys.platform == "win32":
        return WinsoundBackend()
    if sys.platform == "darwin":
        return CommandBackend(["afplay"]) if shutil.which("afplay") else None
    pulse = shutil.which("paplay")
    if pulse and _sound_server_running():
        return CommandBackend([pulse, *([f"--device={device}"] if device else [])])
    alsa = shutil.which("aplay")
    if alsa:
        return CommandBackend([alsa, "-q", *(["-D", device] if device else [])])
    return CommandBackend([pulse]) if pulse else None


def _sound_server_running() -> bool:
    """Whether PulseAudio or PipeWire (with its Pulse socket) serves this user."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    socket = Path(runtime, "pulse", "native") if runtime else None
    return bool(os.environ.get("PULSE_SERVER")) or (socket is not None and socket.exists())


Done = Callable[[bool], None]
_POLL_SECONDS = 0.5
RETRY_SECONDS = 30.0  # after a failed playback, files are skipped this long before trying again


class Player:
    """One thread owns playback: files play in the order queued and never overlap."""

    def __init__(self, backend: Backend | None) -> None:
        self.backend = backend
        self._queue: queue.Queue[tuple[Path, float, Done | None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._complained = False
        self._retry_at = 0.0  # monotonic time before which the device is not tried again

    def start(self) -> None:
        """Start the playback thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="luot-voice-player", daemon=True)
            self._thread.start()

    def enqueue(self, path: Path, seconds: float, done: Done | None = None) -> None:
        """Queue `path`; `done(played)` is called on the player thread afterwards."""
        self.start()
        self._queue.put((path, seconds, done))

    def close(self, timeout: float = 2.0) -> None:
        """Stop after the file playing now; files still queued are dropped."""
        self._stopped = True
        self._queue.put(None)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def abandon(self) -> None:
        """Stop without waiting or locking; the thread notices within a poll."""
        self._stopped = True

    def _run(self) -> None:
        """Play queued files until `close`."""
        while not self._stopped:
            try:
                item = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if item is None or self._stopped:
                break
            path, seconds, done = item
            played = self._play(path, seconds)
            if done is not None:
                try:
                    done(played)
                except Exception:
                    log.exception("player callback failed")

    def _play(self, path: Path, seconds: float) -> bool:
        """Play one file; the first failure in a row is logged, the rest only at debug level.

        After a failure the device is left alone for `RETRY_SECONDS`: a server without a
        speaker (the displays play the sound) would otherwise start a failing player process
        for every call, on the CPU the counters' requests need."""
        if time.monotonic() < self._retry_at:
            log.debug("announcement not played on this server: the player failed just now")
            return False
        try:
            if self.backend is None:
                raise PlaybackError("no sound player found (aplay, paplay, afplay or winsound)")
            self.backend.play(path, seconds)
        except PlaybackError as error:
            level = logging.DEBUG if self._complained else logging.WARNING
            log.log(level, "cannot play announcements on this server: %s", error)
            self._complained = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self._complained = False
        return True
