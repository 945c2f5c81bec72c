"""The `espeak-ng` command line: the fallback when the pyttsx3 worker fails or is missing."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from .errors import SynthesisError
from .voices import VoiceInfo

TIMEOUT_SECONDS = 15.0


_found: tuple[float, str | None] = (-1e9, None)
LOOK_AGAIN_SECONDS = 60.0  # an install (or removal) is noticed within a minute


def espeak_command() -> str | None:
    """The path of `espeak-ng` (or the older `espeak`), or None when neither is installed.

    Remembered for a minute: searching PATH stats a dozen files, and every new announcement
    asks."""
    global _found
    looked, found = _found
    if time.monotonic() - looked > LOOK_AGAIN_SECONDS:
        found = shutil.which("espeak-ng") or shutil.which("espeak")
        _found = (time.monotonic(), found)
    return found


def synthesize(text: str, path: Path, *, voice: str, rate: int, volume: float) -> None:
    """Write `text` spoken by `voice` (an espeak voice or language such as "vi") to `path`."""
    command = espeak_command()
    if command is None:
        raise SynthesisError("espeak-ng is not installed")
    args = [command, "-v", voice, "-s", str(rate), "-a", str(round(volume * 100)), "-w", str(path)]
    try:
        done = subprocess.run(
            [*args, "--", text], capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SynthesisError(f"espeak-ng failed: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise SynthesisError(f"espeak-ng exited {done.returncode}: {message}")


def list_voices() -> list[VoiceInfo]:
    """Voices `espeak-ng --voices` knows, as (file id, name, language)."""
    command = espeak_command()
    if command is None:
        return []
    try:
        done = subprocess.run(
            [command, "--voices"], capture_output=True, timeout=TIMEOUT_SECONDS, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return []
    voices = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        # Pty Language Age/Gender VoiceName File [Other languages]
        columns = line.split()
        if len(columns) >= 5:
            voices.append(
                VoiceInfo(columns[4].lower(), columns[3].replace("_", " "), (columns[1],))
            )
    return voices
