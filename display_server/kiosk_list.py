"""The office's kiosks as they stand: administration's list, else the site file's [[kiosks]].

The start-up banner and /screens give each its own address (/kiosk/<id>): once kiosks are
listed, a kiosk page under any other name prints nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Flask

from .settings import section

KIOSKS_SECTION = "kiosks"


def kiosk_entries(app: Flask) -> list[dict[str, Any]]:
    """The kiosk list in force, each entry without its key (keys stay in the site file)."""
    saved = section(app, KIOSKS_SECTION).get("items")
    if isinstance(saved, list):
        return [dict(entry) for entry in saved if isinstance(entry, Mapping)]
    site = app.config.get("LUOT_SITE") or {}
    return [
        {part: value for part, value in entry.items() if part != "key"}
        for entry in site.get("kiosks", []) or []
        if isinstance(entry, Mapping)
    ]


def kiosk_pages(app: Flask) -> list[tuple[str, str]]:
    """(path, name) of each listed kiosk's page; empty when no kiosk is listed."""
    pages = []
    for entry in kiosk_entries(app):
        kiosk = str(entry.get("id") or "").strip()
        if kiosk:
            pages.append((f"/kiosk/{quote(kiosk, safe='')}", str(entry.get("name") or kiosk)))
    return pages
