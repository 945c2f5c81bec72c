"""The language of administration pages: ?lang= (remembered in the session), else the browser's."""

from __future__ import annotations

from typing import Any

from flask import g, request, session

from ..i18n import LANGUAGES, negotiate, translate


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
        cached = (
            wanted if wanted in LANGUAGES else negotiate(request.headers.get("Accept-Language"))
        )
        g.luot_language = cached
    return str(cached)


def gettext(message: str, **params: Any) -> str:
    """`message` (Vietnamese source) in the page's language, {placeholders} filled."""
    return translate(message, language(), **params)
