"""Which characters API text may hold: one rule for the server's check and the OpenAPI patterns.

Refused: control and format characters (except the zero-width joiner, which emoji and some
scripts need) and lone surrogates. Surrounding whitespace is trimmed first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

# Controls break lines and logs; format characters (bidi overrides, invisible marks) make a
# name read differently from what it is. Private-use characters are only odd glyphs, and
# refusing their 137,000 code points would make every text pattern too big for generators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
JOINER = "\u200d"
# Only planes 0, 1 and 14 hold control, format or whitespace characters: scanning them alone
# keeps the import quick.
_SCANNED = (range(0, 0x20000), range(0xE0000, 0xE1000))
_SURROGATES = range(0xD800, 0xE000)


def refused(character: str) -> bool:
    """Whether API text may not hold `character`."""
    return unicodedata.category(character) in REFUSED_CATEGORIES and character != JOINER


def _ranges(wanted: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    """Runs of scanned code points (surrogates aside) for which `wanted` holds."""
    start: int | None = None
    for plane in _SCANNED:
        for code in plane:
            hit = code not in _SURROGATES and wanted(chr(code))
            if hit and start is None:
                start = code
            elif not hit and start is not None:
                yield start, code - 1
                start = None
        if start is not None:
            yield start, plane[-1]
            start = None


def _spell(code: int) -> str:
    """A code point inside a pattern's character class, readable where a regex engine agrees.

    Astral code points are written as themselves: engines disagree on how to escape them.
    """
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


def _character_class(ranges: list[tuple[int, int]]) -> str:
    """The inside of a regex character class covering `ranges`."""
    parts = []
    for low, high in ranges:
        parts.append(_spell(low) if low == high else f"{_spell(low)}-{_spell(high)}")
    return "".join(parts)


REFUSED_RANGES = list(_ranges(refused))
WHITESPACE_RANGES = list(_ranges(str.isspace))
REFUSED_CLASS = _character_class(REFUSED_RANGES)
WHITESPACE_CLASS = _character_class(WHITESPACE_RANGES)
# Text as the server takes it: any whitespace around, then nothing refused in what remains.
_EDGE = f"[^{REFUSED_CLASS}{WHITESPACE_CLASS}]"
_KEPT = f"{_EDGE}(?:[^{REFUSED_CLASS}]*{_EDGE})?"
TEXT_PATTERN = f"^[{WHITESPACE_CLASS}]*(?:{_KEPT})?[{WHITESPACE_CLASS}]*$"
FILLED_TEXT_PATTERN = f"^[{WHITESPACE_CLASS}]*{_KEPT}[{WHITESPACE_CLASS}]*$"
