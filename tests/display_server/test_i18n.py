"""Every message the core can answer with has an English translation."""

from __future__ import annotations

import ast
from pathlib import Path

from display_server.i18n import catalog, negotiate

PACKAGE = Path(__file__).resolve().parents[2] / "display_server"
RAISERS = {"NotFound", "InvalidInput", "Conflict", "IssuingRefused", "NotAllowed", "ApiError"}


def core_messages():
    found = set()
    for folder in ("queue", "api"):
        for path in (PACKAGE / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in RAISERS:
                    for arg in node.args:
                        if (
                            isinstance(arg, ast.Constant)
                            and isinstance(arg.value, str)
                            and " " in arg.value
                        ):
                            found.add(arg.value)
    return found


def test_every_core_message_is_translated_to_english():
    messages = core_messages()
    assert len(messages) > 30
    missing = sorted(m for m in messages if m not in catalog("en"))
    assert missing == []


def test_translations_keep_their_placeholders():
    import string

    for source, english in catalog("en").items():
        fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
        assert fields(source) == fields(english), source


def test_language_negotiation():
    assert negotiate(None) == "vi"
    assert negotiate("en-GB,en;q=0.8") == "en"
    assert negotiate("fr, en;q=0.5, vi;q=0.9") == "vi"
    assert negotiate("de") == "vi"
