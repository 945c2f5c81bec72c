"""Site settings by section: the site file's table, overlaid by what administration saved.

Features read their section here (`section(app, "voice")`) instead of the raw site file, so a
change made in /admin takes effect without a restart; `save_section` is what /admin calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from .db import Database
from .models import OfficeSetting
from .queue.clock import utc_now
from .queue.lookups import get_office

SETTINGS_CHANGED = "settings.changed"


def _db(app: Flask) -> Database:
    db: Database = app.extensions["luot.db"]
    return db


def section(app: Flask, name: str) -> dict[str, Any]:
    """The effective settings of section `name` (e.g. "voice", "display", "rating")."""
    site: dict[str, Any] = app.config.get("LUOT_SITE") or {}
    base = site.get(name, {})
    merged: dict[str, Any] = dict(base) if isinstance(base, dict) else {}
    with _db(app).read_session() as session:
        office = get_office(session)
        saved = session.get(OfficeSetting, (office.id, name))
        if saved is not None:
            merged.update(saved.value)
    return merged


def save_section(
    app: Flask, name: str, values: dict[str, Any], now: datetime | None = None
) -> None:
    """Store administration's values for `name`; listeners hear "settings.changed"."""
    db = _db(app)
    with db.write_session() as session:
        office = get_office(session)
        saved = session.get(OfficeSetting, (office.id, name))
        if saved is None:
            session.add(
                OfficeSetting(
                    office_id=office.id, key=name, value=values, updated_at=now or utc_now()
                )
            )
        else:
            saved.value = values
            saved.updated_at = now or utc_now()
        office_id = office.id
    db.bus.publish(SETTINGS_CHANGED, office_id, {"section": name})


def saved_sections(app: Flask) -> dict[str, dict[str, Any]]:
    """Everything administration has saved, by section."""
    with _db(app).read_session() as session:
        office = get_office(session)
        rows = session.scalars(select(OfficeSetting).where(OfficeSetting.office_id == office.id))
        return {row.key: dict(row.value) for row in rows}
