"""The two-tone chime played before each announcement, generated in code (no media files)."""

from __future__ import annotations

import math
from array import array
from functools import lru_cache

from .wavfile import Pcm

# A falling major third, E5 then C5, like a door chime.
FIRST_TONE_HZ = 659.25
SECOND_TONE_HZ = 523.25
SECOND_TONE_AT = 0.36  # seconds
NOTE_SECONDS = 0.6
_PARTIALS = ((1.0, 1.0), (2.0, 0.22), (3.0, 0.06))  # (multiple of the tone, relative level)
_PEAK = 0.42 * 32767


@lru_cache(maxsize=8)
def chime(rate: int = 22050) -> Pcm:
    """The chime at `rate` Hz: about one second, soft attack, bell-like decay."""
    length = round((SECOND_TONE_AT + NOTE_SECONDS) * rate)
    mix = [0.0] * length
    for tone, start in ((FIRST_TONE_HZ, 0.0), (SECOND_TONE_HZ, SECOND_TONE_AT)):
        _add_note(mix, rate, tone, round(start * rate))
    return Pcm(array("h", (round(value) for value in mix)), rate)


def _add_note(mix: list[float], rate: int, tone: float, offset: int) -> None:
    """Add one bell note starting at sample `offset`."""
    norm = sum(level for _, level in _PARTIALS)
    attack = 0.006 * rate
    for n in range(min(round(NOTE_SECONDS * rate), len(mix) - offset)):
        t = n / rate
        envelope = min(1.0, n / attack) * math.exp(-t / 0.16)
        # A 5 ms fade at the very end so the note never stops with a click.
        envelope *= min(1.0, (NOTE_SECONDS - t) / 0.005)
        wave = sum(level * math.sin(2 * math.pi * tone * k * t) for k, level in _PARTIALS)
        mix[offset + n] += _PEAK * envelope * wave / norm
