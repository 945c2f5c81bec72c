"""Every Vietnamese string in the app has its English, with the same {placeholders}."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

import counter_app
from counter_app import i18n

PACKAGE = Path(counter_app.__file__).parent


def source_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")]
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    yield
    i18n.set_language("vi")


def test_every_string_is_translated_with_the_same_placeholders() -> None:
    english = i18n.catalog("en")
    sources = source_strings()
    assert len(sources) > 80
    missing = sorted(s for s in sources if s not in english)
    assert missing == []
    wrong = sorted(s for s in sources if fields(s) != fields(english[s]))
    assert wrong == []
    stale = sorted(set(english) - sources)
    assert stale == []


def test_switching_language() -> None:
    assert i18n._("Gọi tiếp") == "Gọi tiếp"
    assert i18n.set_language("en") == "en"
    assert i18n._("Gọi tiếp") == "Call next"
    assert i18n._("Quầy {number}", number=3) == "Counter 3"
    assert i18n._("a string nobody wrote") == "a string nobody wrote"
    assert (i18n.decimal(6.44), i18n.decimal(6.46)) == ("6.4", "6.5")
    assert i18n.set_language("fr") == "vi"
    assert i18n.decimal(6.5) == "6,5"
