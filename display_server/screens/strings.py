"""Text the screens show from their scripts, and the labels of priority classes.

Scripts call `t("<Vietnamese source string>")`; the strings are found in the scripts themselves,
so a page always hands its script the translations it asks for (English in screens.po).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..i18n import translate

SCRIPTS = Path(__file__).resolve().parent.parent / "static" / "screens"
SCRIPT_CALL = re.compile(r'\bt\(\s*"((?:[^"\\]|\\.)*)"')

PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "with_infant": "Người có con nhỏ",
    "veteran": "Người có công với cách mạng",
}


@lru_cache(maxsize=1)
def script_strings() -> tuple[str, ...]:
    """Every string the scripts pass to `t(...)`."""
    found: set[str] = set()
    for path in sorted(SCRIPTS.glob("*.js")):
        found.update(SCRIPT_CALL.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


PLAIN_COUNTER_NAME = re.compile(r"^Quầy\s*\d+$", re.IGNORECASE)


def counter_title(number: int, name: str | None, lang: str) -> str:
    """A counter's name on a page: a plain "Quầy 3" reads "Counter 3" on an English page."""
    if not name or PLAIN_COUNTER_NAME.match(name.strip()):
        return translate("Quầy {number}", lang, number=number)
    return name
