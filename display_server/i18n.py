"""Message catalogs: Vietnamese source strings, translated from the .po files in translations/.

Each feature keeps its own catalog file (translations/<lang>/LC_MESSAGES/<feature>.po); all
files of a language merge into one table. Unknown strings fall back to the Vietnamese source.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
TRANSLATIONS = Path(__file__).parent / "translations"

_tables: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def _load(language: str) -> dict[str, str]:
    table: dict[str, str] = {}
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if message.id and message.string and isinstance(message.id, str):
                table[message.id] = str(message.string)
    return table


def catalog(language: str) -> dict[str, str]:
    """The merged translation table of `language` (empty for the source language)."""
    if language == DEFAULT_LANGUAGE:
        return {}
    with _lock:
        if language not in _tables:
            _tables[language] = _load(language)
        return _tables[language]


def translate(message: str, language: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """`message` in `language`, its {placeholders} filled from `params`."""
    text = catalog(language).get(message, message)
    return text.format(**params) if params else text


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header (Vietnamese when unsure)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in accept_language.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        q = 1.0
        for piece in pieces[1:]:
            if piece.strip().startswith("q="):
                try:
                    q = float(piece.strip()[2:])
                except ValueError:
                    q = 0.0
        if tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    return best
