"""Type sizes, word wrap and rendered lines, remembered: most lines repeat from ticket to ticket."""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from .content import nfc
from .fonts import load_font, printable

if TYPE_CHECKING:
    from PIL._imaging import ImagingCore

# Type sizes in pixels at 58 mm (384 dots) and 80 mm (576 dots); other widths interpolate.
# The number is drawn at half resolution and printed with quadruple-size dots (see layout.py).
_SIZES = {
    "office": (22, 26),
    "unit": (19, 22),
    "service": (24, 30),
    "label": (17, 19),
    "number": (75, 105),
    "priority": (20, 24),
    "info": (19, 22),
    "scan": (16, 18),
    "footer": (20, 24),
}
# FreeType faces are not thread-safe and the cached fonts are shared by every request thread.
_FREETYPE = threading.Lock()
LINE_PITCH = 1.3  # em; Noto's ascent + descent is 1.36 em and stacked Vietnamese marks fit in 1.3


def size_for(role: str, width: int) -> int:
    """The type size of `role` at paper `width` dots."""
    small, large = _SIZES[role]
    return max(12, round(small + (large - small) * (width - 384) / 192))


@functools.lru_cache(maxsize=4096)
def advance(char: str, size: int, bold: bool) -> float:
    """How far one character moves the pen; a line's length is the sum (the font has no kerning
    table, and the basic layout engine applies none), so wrapping never renders a line."""
    with _FREETYPE:
        return load_font(size, bold).getlength(char)


def text_width(line: str, size: int, bold: bool) -> float:
    """The advance width of `line`, what `ImageFont.getlength` would say, from cached advances."""
    return sum(advance(char, size, bold) for char in line)


def wrap(line: str, size: int, bold: bool, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last kept line ends in "…" if text was cut."""

    def fits(text: str) -> bool:
        return text_width(text, size, bold) <= width

    lines: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while not fits(current):  # a single word wider than the paper
            cut = len(current) - 1
            while cut > 1 and not fits(current[:cut]):
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


@functools.lru_cache(maxsize=512)
def wrapped(line: str, size: int, bold: bool, width: int, max_lines: int) -> tuple[str, ...]:
    """`line` composed, made printable and wrapped to `width` pixels."""
    return tuple(wrap(printable(nfc(line), bold), size, bold, width, max_lines))


@functools.lru_cache(maxsize=1024)
def line_mask(line: str, size: int, bold: bool) -> tuple[ImagingCore, int, int]:
    """The line as `ImageDraw.text` draws it (its ink only) and the ink's offset from the pen."""
    with _FREETYPE:
        mask, (left, top) = load_font(size, bold).getmask2(line, "1")
    return mask, left, top
