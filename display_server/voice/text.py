"""The words of an announcement: templates per language, ticket and counter numbers read aloud."""

from __future__ import annotations

import logging
import re
import string
from dataclasses import dataclass
from typing import Literal

from .numerals import digits_to_words, number_to_words

log = logging.getLogger(__name__)

NumberStyle = Literal["value", "digits"]
Language = Literal["vi", "en"]

DEFAULT_TEMPLATES: dict[str, str] = {
    "vi": "Mời công dân có số thứ tự {number} đến quầy số {counter}",
    "en": "Ticket {number}, please go to counter {counter}",
}

# Vietnamese letter names. Spelled out because engines disagree on a lone letter: espeak-ng `vi`
# reads "D" as "đê" and "G" as "ghê", and a SAPI voice may read "B" in English.
# "gờ" rather than "giê" for G, so that D ("dê") and G never sound alike.
LETTER_NAMES_VI: dict[str, str] = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e",
    "Ê": "ê", "F": "ép", "G": "gờ", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e lờ",
    "M": "em mờ", "N": "en nờ", "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "e rờ",
    "S": "ét xì", "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép", "X": "ích xì",
    "Y": "i dài", "Z": "dét",
}  # fmt: skip

_TICKET = re.compile(r"^\s*([^\W\d_]*)[\s\-.]*(\d*)\s*$")


@dataclass(frozen=True)
class AnnouncementText:
    """What the display shows (`text`) and what the engine is given to say (`speech`)."""

    text: str
    speech: str


def read_ticket(
    number: str, *, language: str = "vi", style: NumberStyle = "value", southern: bool = False
) -> AnnouncementText:
    """Read "A012" as "A mười hai" (value) or "A, không, một, hai" (digits)."""
    match = _TICKET.match(number)
    if not match or not (match[1] or match[2]):
        return AnnouncementText(number, number)
    letters, digits = match[1].upper(), match[2]
    if language != "vi":
        read = str(int(digits)) if digits and style == "value" else ", ".join(digits)
        spoken_letters = " ".join(letters)
        return AnnouncementText(_join(letters, read, style), _join(spoken_letters, read, style))
    if not digits:
        read = ""
    elif style == "digits":
        read = digits_to_words(digits)
    else:
        read = number_to_words(int(digits), southern=southern)
    spoken_letters = " ".join(LETTER_NAMES_VI.get(char, char) for char in letters)
    return AnnouncementText(_join(letters, read, style), _join(spoken_letters, read, style))


def read_counter(counter: object, *, language: str = "vi", southern: bool = False) -> str:
    """Read a counter number as a value ("3" → "ba"); anything else stays as written."""
    value = str(counter).strip()
    if language == "vi" and value.isdigit():
        return number_to_words(int(value), southern=southern)
    return value


def render_announcement(
    template: str,
    *,
    number: str,
    counter: object,
    language: str = "vi",
    style: NumberStyle = "value",
    southern: bool = False,
    extra: dict[str, object] | None = None,
) -> AnnouncementText:
    """Fill `template` ({number}, {counter}, and any of `extra`) for display and for speech."""
    ticket = read_ticket(number, language=language, style=style, southern=southern)
    counter_words = read_counter(counter, language=language, southern=southern)
    fields = {str(key): str(value) for key, value in (extra or {}).items()}
    fields["counter"] = counter_words
    text = _fill(template, language, {**fields, "number": ticket.text})
    speech = _fill(template, language, {**fields, "number": ticket.speech})
    return AnnouncementText(text, speech)


def _fill(template: str, language: str, fields: dict[str, str]) -> str:
    """Format `template`, leaving unknown {names} as written; a broken template falls back."""
    try:
        return string.Formatter().vformat(template, (), _KeepMissing(fields))
    except (ValueError, IndexError) as error:
        log.warning("voice template %r is invalid (%s); using the default", template, error)
        default = DEFAULT_TEMPLATES.get(language, DEFAULT_TEMPLATES["vi"])
        return default.format_map(_KeepMissing(fields))


def _join(letters: str, read: str, style: NumberStyle) -> str:
    """Letters then the number: a comma after the letter when digits are read one by one."""
    if not letters or not read:
        return letters or read
    return f"{letters}, {read}" if style == "digits" else f"{letters} {read}"


class _KeepMissing(dict[str, str]):
    """A format mapping that writes an unknown field back as "{name}"."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
