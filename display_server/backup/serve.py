"""The backup feature of `luot serve`: the serving lock and the daily backup.

`init_app` marks a SQLite database as served (so a restore refuses), and with a `[backup]`
table in the site file starts the daily backup and reports it in /api/v1/health?deep=1.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Flask

from ..extensions import add_serve_task
from .daily import BackupSettings, DailyBackup
from .serving import hold_serving_lock
from .target import BackupError, parse_target

EXTENSION_KEY = "luot.backup"
# Checks that /api/v1/health?deep=1 runs, each returning keys to add to the answer.
DEEP_HEALTH_KEY = "luot.deep_health"


def _site_dir(app: Flask) -> Path:
    """Where relative paths in the site file start from."""
    site_file = app.config.get("LUOT_SITE_FILE")
    return Path(site_file).parent if site_file else Path.cwd()


def init_app(app: Flask) -> None:
    """Register the serving lock and, when [backup] is set, the daily backup."""
    site: dict[str, Any] = app.config.get("LUOT_SITE") or {}
    settings = BackupSettings.from_table(site.get("backup"), _site_dir(app))
    url = str(app.config["LUOT_DATABASE_URL"])
    try:
        target = parse_target(url)
    except BackupError:
        return  # an in-memory database: nothing to lock or back up
    if target.path is not None:
        database = target.path

        def mark_served(app: Flask) -> None:
            """Hold the lock file that tells `luot restore` this database is in use."""
            app.extensions["luot.backup.serving"] = hold_serving_lock(database)

        add_serve_task(app, mark_served)
    if settings is None:
        return
    daily = DailyBackup(app.extensions["luot.db"], url, settings, app.config.get("LUOT_CLOCK"))
    stop = threading.Event()
    app.extensions[EXTENSION_KEY] = daily
    app.extensions["luot.backup.stop"] = stop

    def daily_backup(app: Flask) -> None:
        """Take the day's backup when it is due."""
        daily.run_forever(stop)

    add_serve_task(app, daily_backup)
    app.extensions.setdefault(DEEP_HEALTH_KEY, []).append(lambda _app: {"backup": daily.health()})
