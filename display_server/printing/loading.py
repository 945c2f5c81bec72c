"""Building the extension from the site file and administration's saved settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..settings import section
from ..site import SiteError
from .extension import PrintingExtension
from .settings import PrintingSettings, read_kiosks

log = logging.getLogger(__name__)


def read_settings(app: Flask) -> PrintingSettings:
    """[printing] from the site file with administration's changes; raises SiteError."""
    return PrintingSettings.from_table(section(app, "printing"), site_dir(app))


def site_dir(app: Flask) -> Path:
    """Where relative paths in the site file (the logo) start from."""
    site_file = app.config.get("LUOT_SITE_FILE")
    return Path(site_file).parent if site_file else Path.cwd()


def load_extension(app: Flask) -> PrintingExtension:
    """[printing] and the kiosk list, administration's version first (its kiosk list replaces
    the site file's). If administration saved something unusable, the site file's alone is used
    and the problem logged; an unusable site file raises SiteError."""
    site: Mapping[str, Any] = app.config.get("LUOT_SITE") or {}
    try:
        settings = read_settings(app)
    except SiteError as exc:
        log.error("printing settings saved in administration are ignored: %s", exc)
        settings = PrintingSettings.from_table(site.get("printing") or {}, site_dir(app))
    saved = section(app, "kiosks").get("items")
    try:
        kiosks = (
            read_kiosks({"kiosks": saved}, devices_only=True) if isinstance(saved, list) else None
        )
    except SiteError as exc:
        log.error("the kiosk list saved in administration is ignored: %s", exc)
        kiosks = None
    return PrintingExtension(
        settings,
        kiosks if kiosks is not None else read_kiosks(site),
        db=app.extensions.get("luot.db"),
    )
