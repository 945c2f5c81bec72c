"""The speech worker process: the only owner of the pyttsx3 engine, fed requests through a pipe.

Started by `speech.SpeechEngine` with the multiprocessing "spawn" context, so it shares no
threads, locks or sockets with the server. It exits when asked, when the pipe closes, or when
the server process is gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .audio import compose
from .errors import InvalidAudioError
from .voices import VoiceInfo, choose_voice
from .wavfile import EMPTY_WAV_BYTES, check_speech, write_wav

WARM_UP_TEXT = {"vi": "Xin chào", "en": "Hello"}
ESPEAK_WAIT_SECONDS = 60.0  # the parent gives up (and replaces this process) much sooner
STRAY_EVENT_WAIT_SECONDS = 1.0
PARENT_CHECK_SECONDS = 1.0


def run(conn: Connection, options: dict[str, Any]) -> None:
    """Process entry point: report readiness, then serve requests until told to stop."""
    # pyttsx3's espeak driver prints a line for every file it saves.
    sys.stdout = open(os.devnull, "w")  # open for the life of the process
    _exit_with_parent()
    _lower_priority()
    try:
        speaker = _Speaker(options)
    except Exception as error:  # pyttsx3 missing, no driver, no espeak library…
        _send(conn, {"op": "ready", "ok": False, "error": f"{type(error).__name__}: {error}"})
        return
    _send(conn, {"op": "ready", "ok": True, **speaker.describe()})
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request.get("op") == "quit":
            return
        _send(conn, speaker.handle(request))


class _Speaker:
    """pyttsx3 set up once: voice chosen, rate and volume set, first file already written."""

    def __init__(self, options: dict[str, Any]) -> None:
        import pyttsx3  # imported here so a missing or broken package is a reported failure

        self.engine = pyttsx3.init()
        self.driver = str(self.engine)
        self._finished = threading.Event()
        self.engine.connect("finished-utterance", lambda **_: self._finished.set())
        self.voices = [
            VoiceInfo(str(v.id), str(v.name or v.id), tuple(str(tag) for tag in v.languages or ()))
            for v in self.engine.getProperty("voices")
        ]
        self.chosen = choose_voice(self.voices, options["voice"], options["language"])
        if self.chosen is not None:
            self.engine.setProperty("voice", self.chosen.id)
        self.engine.setProperty("rate", options["rate"])
        self.engine.setProperty("volume", options["volume"])
        # espeak applies rate and volume asynchronously and now and then drops them (about one
        # start in fifty): give them inside the text as well, as espeak's embedded commands.
        self.prefix = ""
        if self.driver == "espeak":
            self.prefix = f"\x01{int(options['rate'])}S\x01{round(options['volume'] * 100)}A"
        # The voice must be in place before the first real file, or that file can come out
        # empty (44 bytes): write a throw-away one now.
        with tempfile.TemporaryDirectory(prefix="luot-voice-") as directory:
            self.save(WARM_UP_TEXT.get(options["language"], "Hello"), Path(directory) / "w.wav")

    def describe(self) -> dict[str, Any]:
        """The voices found and the one chosen, for the parent."""
        return {
            "voices": [voice.to_json() for voice in self.voices],
            "chosen": self.chosen.to_json() if self.chosen else None,
            "driver": str(self.engine),
            "pid": os.getpid(),
        }

    def save(self, text: str, path: Path) -> None:
        """Synthesise `text` into the WAV file `path`, returning once the file is complete."""
        target = path.with_suffix(".aiff") if self.driver == "nsss" else path
        self._finished.clear()
        self.engine.save_to_file(self.prefix + text, str(target))
        self.engine.runAndWait()
        # The espeak driver's runAndWait returns while espeak still synthesises on a thread of
        # its own; the file is written just before "finished-utterance". Starting the next
        # command earlier mixes up files and loses settings. A wait that never ends is cut
        # short by the parent, which replaces this process.
        if self.driver == "espeak":
            self._wait_for_espeak(target)
        if target != path:  # NSSpeechSynthesizer writes AIFF whatever the name says
            subprocess.run(
                ["afconvert", "-f", "WAVE", "-d", "LEI16", str(target), str(path)],
                check=True,
                capture_output=True,
            )
            target.unlink(missing_ok=True)

    def _wait_for_espeak(self, path: Path) -> None:
        """Wait for "finished-utterance" with `path` written. A late event of the previous
        utterance can come first and leave an empty file: then wait for the next one, briefly."""
        if not self._finished.wait(ESPEAK_WAIT_SECONDS):
            raise TimeoutError("espeak did not finish")
        for _ in range(3):
            if _written(path):
                return
            self._finished.clear()
            if not _written(path):  # the real event may have come since the check
                self._finished.wait(STRAY_EVENT_WAIT_SECONDS)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one request; errors become replies, never exits."""
        reply: dict[str, Any] = {"op": request.get("op"), "id": request.get("id"), "ok": True}
        try:
            if request["op"] == "synthesize":
                self.save(request["text"], Path(request["path"]))
            elif request["op"] == "announce":
                reply["duration"] = self.announce(request)
            elif request["op"] == "describe":
                reply.update(self.describe())
            else:
                raise ValueError(f"unknown request {request['op']!r}")
        except InvalidAudioError as error:  # worth one more try: the parent decides
            reply.update(ok=False, invalid=True, error=str(error))
        except Exception as error:
            reply.update(ok=False, error=f"{type(error).__name__}: {error}")
        return reply

    def announce(self, request: dict[str, Any]) -> float:
        """Speak `text` into the scratch file, check it, write chime + speech × repeat to
        `path`; the announcement's duration."""
        text, scratch = request["text"], Path(request["scratch"])
        try:
            scratch.unlink(missing_ok=True)
            self.save(text, scratch)
            speech = check_speech(scratch, text)
        finally:
            scratch.unlink(missing_ok=True)
        audio = compose(speech, with_chime=bool(request["chime"]), repeat=int(request["repeat"]))
        write_wav(Path(request["path"]), audio)
        return audio.duration


def _written(path: Path) -> bool:
    """Whether `path` holds more than an empty WAV header."""
    return path.is_file() and path.stat().st_size > EMPTY_WAV_BYTES


def _lower_priority() -> None:
    """Speech waits a few milliseconds rather than the queue's requests: an announcement lasts
    seconds, a counter's click should answer at once."""
    with contextlib.suppress(Exception):  # not permitted here: speak at normal priority
        import psutil

        below = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", 10)  # Windows class, else nice 10
        psutil.Process().nice(below)


def _send(conn: Connection, message: dict[str, Any]) -> None:
    """Send to the parent; a closed pipe means the parent is gone, so leave at once."""
    try:
        conn.send(message)
    except (BrokenPipeError, EOFError, OSError):
        os._exit(0)


def _exit_with_parent() -> None:
    """Leave as soon as the server process is gone, even in the middle of a synthesis."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        while parent.is_alive():
            with contextlib.suppress(Exception):
                parent.join(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="luot-speech-parent-watch", daemon=True).start()
