"""16-bit mono PCM in memory: read, check, join and write WAV files with the standard library."""

from __future__ import annotations

import math
import operator
import os
import sys
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidAudioError

SILENCE_RMS = 60.0  # on the 16-bit scale (about -55 dBFS): below this a file counts as silent
EMPTY_WAV_BYTES = 44  # a header and no samples: what a failed first save_to_file leaves


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit mono samples at `rate` Hz."""

    samples: array[int]
    rate: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate

    def rms(self) -> float:
        """Root mean square level on the 16-bit scale (0 for no samples), estimated from at
        most about 4,000 evenly spaced samples: plenty to tell speech from silence, and cheap
        (it runs in the server process, under the GIL, for every new announcement)."""
        if not self.samples:
            return 0.0
        sample = self.samples[:: max(1, len(self.samples) // 4_000)]
        return math.sqrt(sum(map(operator.mul, sample, sample)) / len(sample))


def silence(seconds: float, rate: int) -> Pcm:
    """`seconds` of digital silence."""
    return Pcm(array("h", bytes(2 * round(seconds * rate))), rate)


def concatenate(parts: list[Pcm]) -> Pcm:
    """Join parts of one sample rate end to end."""
    rates = {part.rate for part in parts}
    if len(rates) != 1:
        raise ValueError(f"cannot join sample rates {sorted(rates)}")
    samples = array("h")
    for part in parts:
        samples.extend(part.samples)
    return Pcm(samples, rates.pop())


def read_wav(path: Path) -> Pcm:
    """Read a PCM WAV file as 16-bit mono (8-bit, 16-bit and stereo files are converted)."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, OSError) as error:
        raise InvalidAudioError(f"{path.name} is not a readable WAV file: {error}") from error
    if width == 1:
        samples = array("h", ((byte - 128) << 8 for byte in frames))
    elif width == 2:
        samples = array("h", frames[: len(frames) - len(frames) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
    else:
        raise InvalidAudioError(f"{path.name} has {8 * width}-bit samples; 8 or 16 expected")
    if channels == 2:
        samples = array(
            "h", ((a + b) // 2 for a, b in zip(samples[::2], samples[1::2], strict=False))
        )
    elif channels != 1:
        raise InvalidAudioError(f"{path.name} has {channels} channels")
    return Pcm(samples, rate)


def write_wav(path: Path, pcm: Pcm) -> None:
    """Write `pcm` to `path` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(pcm.rate)
            samples = pcm.samples
            if sys.byteorder == "big":
                samples = array("h", samples)
                samples.byteswap()
            wav.writeframes(samples.tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plausible_duration(text: str) -> tuple[float, float]:
    """Shortest and longest believable speech for `text`, in seconds, at 50–400 words a minute."""
    words = max(1, len(text.split()))
    return 0.1 * words, 2.0 + 1.2 * words


def check_speech(path: Path, text: str) -> Pcm:
    """Read a synthesised file and make sure it is real speech for `text`, or raise."""
    if not path.is_file():
        raise InvalidAudioError(f"{path.name} was not written")
    size = path.stat().st_size
    if size <= EMPTY_WAV_BYTES:
        raise InvalidAudioError(f"{path.name} is empty ({size} bytes)")
    pcm = read_wav(path)
    shortest, longest = plausible_duration(text)
    if not shortest <= pcm.duration <= longest:
        raise InvalidAudioError(
            f"{path.name} lasts {pcm.duration:.2f} s; {shortest:.1f}–{longest:.1f} s expected"
        )
    level = pcm.rms()
    if level < SILENCE_RMS:
        raise InvalidAudioError(f"{path.name} is silent (RMS {level:.0f})")
    return pcm
