"""Speech for announcements: the pyttsx3 worker process first, the `espeak-ng` command second.

Every file is checked (`wavfile.check_speech`) before it is used. A worker that dies, hangs or
cannot start is replaced, with a growing pause between attempts while it keeps failing.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from . import espeak_cli, worker
from .audio import compose
from .errors import InvalidAudioError, SynthesisError
from .settings import VoiceSettings
from .voices import VoiceInfo, choose_voice
from .wavfile import Pcm, check_speech, write_wav

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Synthesis:
    """Checked speech and the engine that made it ("pyttsx3" or "espeak-ng")."""

    pcm: Pcm
    engine: str


@dataclass(frozen=True)
class Announced:
    """An announcement file written: its length in seconds and the engine that spoke it."""

    duration: float
    engine: str


_Made = TypeVar("_Made", Synthesis, Announced)


class _WorkerGone(Exception):
    """The worker process died, hung, or closed its pipe."""


class SpeechEngine:
    """Owns the speech worker process. Not thread-safe: exactly one thread may use it."""

    def __init__(
        self,
        settings: VoiceSettings,
        *,
        use_worker: bool = True,
        use_cli: bool = True,
        request_timeout: float = 5.0,
        start_timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self.use_worker = use_worker
        self.use_cli = use_cli
        self.request_timeout = request_timeout
        self.start_timeout = start_timeout
        self.worker_info: dict[str, Any] | None = None  # the worker's "ready" message
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ids = itertools.count(1)
        self._failures = 0
        self._next_start = 0.0
        self._cli_voice: str | None = None

    @property
    def worker_pid(self) -> int | None:
        """The pid of the running worker process, if any."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the worker now (it warms up in the background) unless one runs or must wait."""
        if self.use_worker and self._process is None and time.monotonic() >= self._next_start:
            self._spawn()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Start the worker if needed and wait until it can speak; False if it cannot."""
        self.start()
        return self._worker_ready(timeout if timeout is not None else self.start_timeout)

    def synthesize(self, text: str, path: Path) -> Synthesis:
        """Write speech for `text` to `path` and return it checked, or raise `SynthesisError`."""

        def by_worker() -> Synthesis:
            path.unlink(missing_ok=True)
            self._ask({"op": "synthesize", "text": text, "path": str(path)})
            return Synthesis(check_speech(path, text), "pyttsx3")

        def by_cli() -> Synthesis:
            self._espeak_cli(text, path)
            return Synthesis(check_speech(path, text), "espeak-ng")

        return self._speak(by_worker, by_cli)

    def announce(
        self, text: str, path: Path, scratch: Path, *, with_chime: bool, repeat: int
    ) -> Announced:
        """Write the announcement for `text` (chime, then the speech `repeat` times) to `path`,
        speech checked; raise `SynthesisError` when no engine gives usable speech.

        The worker composes and writes the file itself, so the samples never pass through
        the server process, whose GIL the queue's requests need (it cost ~2.6 ms of the
        server's CPU per call). The command-line fallback composes here, via `scratch`."""
        request = {
            "op": "announce",
            "text": text,
            "path": str(path),
            "scratch": str(scratch),
            "chime": with_chime,
            "repeat": repeat,
        }

        def by_worker() -> Announced:
            return Announced(float(self._ask(request)["duration"]), "pyttsx3")

        def by_cli() -> Announced:
            try:
                self._espeak_cli(text, scratch)
                audio = compose(check_speech(scratch, text), with_chime=with_chime, repeat=repeat)
            finally:
                scratch.unlink(missing_ok=True)
            write_wav(path, audio)
            return Announced(audio.duration, "espeak-ng")

        return self._speak(by_worker, by_cli)

    def _speak(self, by_worker: Callable[[], _Made], by_cli: Callable[[], _Made]) -> _Made:
        """The worker's result, else the espeak-ng command line's; `SynthesisError` naming
        every engine's problem when neither gives usable speech."""
        problems: list[str] = []
        cli = self.use_cli and espeak_command_available()
        # With the command line to fall back on, a worker still starting is not waited for.
        if self.use_worker and self.wait_ready(0.0 if cli else None):
            for _attempt in range(2):  # a second try covers the odd empty first file
                try:
                    made = by_worker()
                except InvalidAudioError as error:
                    problems.append(f"pyttsx3: {error}")
                    continue
                except _WorkerGone as error:
                    problems.append(f"pyttsx3 worker: {error}")
                    self._worker_failed(str(error))
                except SynthesisError as error:
                    problems.append(f"pyttsx3: {error}")
                else:
                    self._failures = 0
                    return made
                break
        elif self.use_worker:
            problems.append("pyttsx3 worker not ready")
        if cli:
            try:
                return by_cli()
            except SynthesisError as error:
                problems.append(f"espeak-ng: {error}")
        elif self.use_cli:
            problems.append("espeak-ng not installed")
        raise SynthesisError("; ".join(problems) or "no speech engine enabled")

    def _espeak_cli(self, text: str, path: Path) -> None:
        path.unlink(missing_ok=True)
        espeak_cli.synthesize(
            text,
            path,
            voice=self._espeak_voice(),
            rate=self.settings.rate,
            volume=self.settings.volume,
        )

    def voices(self) -> tuple[list[VoiceInfo], VoiceInfo | None]:
        """The voices found and the one chosen: from the worker, else from `espeak-ng`."""
        if self.use_worker and self.wait_ready() and self.worker_info:
            found = [VoiceInfo.from_json(v) for v in self.worker_info["voices"]]
            chosen = self.worker_info["chosen"]
            return found, VoiceInfo.from_json(chosen) if chosen else None
        found = espeak_cli.list_voices()
        return found, choose_voice(found, self.settings.voice, self.settings.language)

    def close(self, timeout: float = 2.0) -> None:
        """Ask the worker to leave; kill it if it does not within `timeout`."""
        process, conn = self._process, self._conn
        self._process, self._conn, self.worker_info = None, None, None
        if process is None or conn is None:
            return
        try:
            conn.send({"op": "quit"})
        except OSError:
            pass
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)
        conn.close()

    def terminate(self) -> None:
        """Kill the worker at once; the one method safe to call from another thread."""
        process = self._process
        if process is not None and process.is_alive():
            process.kill()

    def _spawn(self) -> None:
        """Start a worker process; it reports "ready" on the pipe when it can speak."""
        parent_end, child_end = self._context.Pipe()
        options = {
            "voice": self.settings.voice,
            "language": self.settings.language,
            "rate": self.settings.rate,
            "volume": self.settings.volume,
        }
        process = self._context.Process(
            target=worker.run, args=(child_end, options), name="luot-speech", daemon=True
        )
        process.start()
        child_end.close()  # so that the worker's death reads as end-of-file here
        self._process, self._conn, self.worker_info = process, parent_end, None
        log.info("speech worker started (pid %s)", process.pid)

    def _worker_ready(self, timeout: float) -> bool:
        """Wait up to `timeout` for the "ready" message of the current worker."""
        if self.worker_info is not None:
            return bool(self.worker_info.get("ok"))
        if self._process is None:
            return False
        try:
            self._receive(lambda message: message.get("op") == "ready", timeout)
        except _WorkerGone as error:
            self._worker_failed(str(error))
            return False
        except TimeoutError:
            if timeout > 0:
                self._worker_failed(f"not ready after {timeout:.0f} s")
            return False
        return self.worker_info is not None and bool(self.worker_info.get("ok"))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        assert self._conn is not None
        request_id = next(self._ids)
        try:
            self._conn.send({**request, "id": request_id})
        except OSError as error:
            raise _WorkerGone(f"pipe closed: {error}") from error
        try:
            reply = self._receive(lambda m: m.get("id") == request_id, self.request_timeout)
        except TimeoutError as error:
            raise _WorkerGone(f"no answer in {self.request_timeout:.0f} s") from error
        if not reply.get("ok"):
            failure = InvalidAudioError if reply.get("invalid") else SynthesisError
            raise failure(str(reply.get("error")))
        return reply

    def _receive(self, wanted: Any, timeout: float) -> dict[str, Any]:
        """Read messages until one is `wanted`; raise TimeoutError or _WorkerGone."""
        assert self._process is not None and self._conn is not None
        deadline = time.monotonic() + timeout
        while True:
            if not self._conn.poll(0):
                remaining = deadline - time.monotonic()
                ready = wait([self._conn, self._process.sentinel], max(0.0, remaining))
                if not ready:
                    raise TimeoutError
                if self._conn not in ready:
                    self._process.join(0.5)
                    raise _WorkerGone(f"exited with code {self._process.exitcode}")
            try:
                message: dict[str, Any] = self._conn.recv()
            except (EOFError, OSError) as error:
                raise _WorkerGone("pipe closed") from error
            if message.get("op") == "ready":
                self.worker_info = message
                if not message.get("ok"):
                    raise _WorkerGone(f"could not start: {message.get('error')}")
            if wanted(message):
                return message

    def _worker_failed(self, reason: str) -> None:
        """Kill the worker and start another: at once the first time, later if it keeps failing."""
        self._failures += 1
        if self._process is not None:
            self._process.kill()
            self._process.join(2.0)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn, self.worker_info = None, None, None
        delay = 0.0 if self._failures <= 1 else min(60.0, 2.0 ** (self._failures - 1))
        self._next_start = time.monotonic() + delay
        log.warning("speech worker failed (%s); restarting in %.0f s", reason, delay)
        self.start()

    def _espeak_voice(self) -> str:
        """The espeak voice for the command line, chosen by the same rule as the worker's."""
        if self._cli_voice is None:
            chosen = choose_voice(
                espeak_cli.list_voices(), self.settings.voice, self.settings.language
            )
            self._cli_voice = chosen.id if chosen else self.settings.language
        return self._cli_voice


def espeak_command_available() -> bool:
    """Whether the `espeak-ng` command-line fallback can be used."""
    return espeak_cli.espeak_command() is not None
