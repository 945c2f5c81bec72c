"""The app's words: Vietnamese source strings, English from assets/<language>.po (Babel).

`_()` looks a string up in the current language's catalog and fills its {placeholders};
unknown strings fall back to the Vietnamese source.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
ASSETS = Path(__file__).parent / "assets"

_tables: dict[str, dict[str, str]] = {}
_lock = threading.Lock()
_current = DEFAULT_LANGUAGE


def catalog(language: str) -> dict[str, str]:
    """The translation table of `language` (empty for Vietnamese, the source language)."""
    if language == DEFAULT_LANGUAGE:
        return {}
    with _lock:
        if language not in _tables:
            table: dict[str, str] = {}
            path = ASSETS / f"{language}.po"
            if path.exists():
                with path.open("rb") as handle:
                    for message in read_po(handle, locale=language):
                        if isinstance(message.id, str) and message.id and message.string:
                            table[message.id] = str(message.string)
            _tables[language] = table
        return _tables[language]


def set_language(language: str) -> str:
    """Switch the app's language; unknown codes fall back to Vietnamese. Returns the one set."""
    global _current
    _current = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return _current


def language() -> str:
    """The current language code."""
    return _current


def _(message: str, /, **params: Any) -> str:
    """`message` in the current language, its {placeholders} filled from `params`."""
    text = catalog(_current).get(message, message)
    return text.format(**params) if params else text


def N_(message: str, /) -> str:
    """Mark a string for the catalog where it is defined; translate it with `_` where shown."""
    return message


def decimal(value: float, digits: int = 1) -> str:
    """A number as the current language writes it (6,5 in Vietnamese, 6.5 in English)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if _current == "vi" else text
