"""The language of administration pages: ?lang= (remembered in the session), else Vietnamese.

Like every other screen, a page does not switch to English by itself because the browser is
set to English: an office's shared PCs often are, and the staff read Vietnamese.
"""

from __future__ import annotations

from typing import Any

from flask import g, request, session

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, translate


def remember_language() -> None:
    """Keep a ?lang=vi|en choice for the rest of the session."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        g.pop("luot_language", None)


def language() -> str:
    """The language of this request's page."""
    cached = g.get("luot_language")
    if cached is None:
        wanted = request.args.get("lang") or session.get("lang")
        cached = wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE
        g.luot_language = cached
    return str(cached)


def gettext(message: str, **params: Any) -> str:
    """`message` (Vietnamese source) in the page's language, {placeholders} filled."""
    return translate(message, language(), **params)
