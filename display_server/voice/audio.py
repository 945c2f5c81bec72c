"""The file an announcement plays: chime, then the speech `repeat` times, with short gaps."""

from __future__ import annotations

from .chime import chime
from .wavfile import Pcm, concatenate, silence

GAP_AFTER_CHIME = 0.25  # seconds
GAP_BETWEEN_REPEATS = 0.8


def compose(speech: Pcm | None, *, with_chime: bool = True, repeat: int = 2) -> Pcm:
    """Chime + (speech × repeat) at the speech's sample rate; the chime alone if no speech."""
    rate = speech.rate if speech is not None else 22050
    parts: list[Pcm] = []
    if with_chime:
        parts.append(chime(rate))
    if speech is not None:
        if parts:
            parts.append(silence(GAP_AFTER_CHIME, rate))
        for index in range(repeat):
            if index:
                parts.append(silence(GAP_BETWEEN_REPEATS, rate))
            parts.append(speech)
    if not parts:
        raise ValueError("nothing to compose: no chime and no speech")
    return concatenate(parts)
