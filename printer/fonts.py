"""The Unicode fonts shipped in `printer/fonts/`, loaded once, with a check of their coverage."""

from __future__ import annotations

import functools
import logging
import struct
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR_PATH = FONT_DIR / "NotoSans-Regular.ttf"
BOLD_PATH = FONT_DIR / "NotoSans-Bold.ttf"
REPLACEMENT = "?"


def font_path(bold: bool = False) -> Path:
    """The TTF file of the regular or bold face."""
    return BOLD_PATH if bold else REGULAR_PATH


@functools.lru_cache(maxsize=128)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The face at `size` pixels, with the basic layout engine (same result on every build)."""
    return ImageFont.truetype(str(font_path(bold)), size, layout_engine=ImageFont.Layout.BASIC)


@functools.cache
def covered_code_points(bold: bool = False) -> frozenset[int]:
    """Every code point the face maps to a glyph, read from its `cmap` table."""
    return frozenset(read_cmap(font_path(bold).read_bytes()))


def missing_characters(text: str, bold: bool = False) -> set[str]:
    """Characters of `text` the face has no glyph for (they would print as boxes)."""
    covered = covered_code_points(bold)
    return {ch for ch in text if ord(ch) not in covered and ch not in "\n\t"}


def printable(text: str, bold: bool = False) -> str:
    """`text` with characters the face lacks replaced by "?", so no box ever prints."""
    missing = missing_characters(text, bold)
    if not missing:
        return text
    log.warning("no glyph for %s in the ticket font; printing '?'", sorted(missing))
    return "".join(REPLACEMENT if ch in missing else ch for ch in text)


def read_cmap(data: bytes) -> set[int]:
    """Code points of the Unicode `cmap` subtables (formats 4 and 12) of a TrueType file."""
    num_tables = struct.unpack_from(">H", data, 4)[0]
    cmap_offset = 0
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"cmap":
            cmap_offset = offset
    if not cmap_offset:
        return set()
    points: set[int] = set()
    count = struct.unpack_from(">H", data, cmap_offset + 2)[0]
    for i in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, cmap_offset + 4 + 8 * i)
        if (platform, encoding) in {(0, 3), (0, 4), (3, 1), (3, 10)}:
            points |= _read_subtable(data, cmap_offset + sub)
    return points


def _read_subtable(data: bytes, at: int) -> set[int]:
    """Code points with a non-zero glyph in one cmap subtable."""
    fmt = struct.unpack_from(">H", data, at)[0]
    points: set[int] = set()
    if fmt == 4:
        segments = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segments}H", data, at + 14)
        starts_at = at + 16 + 2 * segments
        starts = struct.unpack_from(f">{segments}H", data, starts_at)
        deltas = struct.unpack_from(f">{segments}h", data, starts_at + 2 * segments)
        range_at = starts_at + 4 * segments
        offsets = struct.unpack_from(f">{segments}H", data, range_at)
        for i in range(segments):
            for code in range(starts[i], ends[i] + 1):
                if code == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    glyph = (code + deltas[i]) & 0xFFFF
                else:
                    where = range_at + 2 * i + offsets[i] + 2 * (code - starts[i])
                    glyph = struct.unpack_from(">H", data, where)[0]
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                if glyph:
                    points.add(code)
    elif fmt == 12:
        groups = struct.unpack_from(">I", data, at + 12)[0]
        for i in range(groups):
            start, end, _glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
            points.update(range(start, end + 1))
    return points
