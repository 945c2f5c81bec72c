"""Daily backups while `luot serve` runs: the `[backup]` table, the schedule, retention, status.

The status lives in the database (office_setting "backup.status"), so every server process
sees it, and it is also the claim that makes one process, not each, take the day's backup.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..db import Database
from ..models import OfficeSetting
from ..queue.clock import local_time, utc_now
from ..queue.lookups import get_office
from ..site import SiteError
from .operations import make_backup
from .target import BackupError, parse_target

log = logging.getLogger(__name__)

STATUS_KEY = "backup.status"
CHECK_SECONDS = 60.0  # how often a server looks whether a backup is due
RETRY_AFTER = timedelta(hours=1)  # after a failure (a drive not plugged in, …)
STALE_RUN = timedelta(hours=3)  # a claim older than this belongs to a process that died
DAILY_FILE = re.compile(r"^\.?luot-daily-(\d{4}-\d{2}-\d{2})\.(db|dump)(\.partial-\d+)?$")


@dataclass(frozen=True)
class BackupSettings:
    """The site file's [backup] table: where, when (office time), and how many days to keep."""

    dir: Path
    time: time = time(12, 30)  # lunch: the office is open (the PC is on) and quiet
    keep_days: int = 30

    @classmethod
    def from_table(cls, table: Any, base_dir: Path) -> BackupSettings | None:
        """Parse [backup] (None when absent); relative paths start at the site file's folder."""
        if not table:
            return None
        if not isinstance(table, dict):
            raise SiteError("[backup] must be a table")
        folder = table.get("dir")
        if not isinstance(folder, str) or not folder.strip():
            raise SiteError('[backup] dir is required: the folder to write backups to, e.g. "E:/"')
        at = table.get("time", "12:30")
        try:
            hours, minutes = str(at).split(":")
            parsed = time(int(hours), int(minutes))
        except ValueError as exc:
            raise SiteError(f"[backup] time must be HH:MM (office time), not {at!r}") from exc
        keep = table.get("keep_days", 30)
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise SiteError(f"[backup] keep_days must be a whole number of days ≥ 1, not {keep!r}")
        return cls(base_dir / Path(folder).expanduser(), parsed, keep)


def latest_slot(now_local: datetime, at: time) -> datetime:
    """The most recent scheduled moment at or before `now_local`."""
    slot = now_local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return slot if slot <= now_local else slot - timedelta(days=1)


def _when(status: dict[str, Any], key: str) -> datetime | None:
    value = status.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def prune(folder: Path, today: date, keep_days: int) -> list[Path]:
    """Delete daily backups (and left-over partial ones) older than `keep_days` days."""
    oldest_kept = today - timedelta(days=keep_days - 1)
    removed = []
    for path in folder.iterdir():
        match = DAILY_FILE.match(path.name)
        if match is None:
            continue  # never touch what is not ours
        day = date.fromisoformat(match[1])
        if day < oldest_kept or (match[3] and day < today):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class DailyBackup:
    """Takes the day's backup once across every server process, and keeps `keep_days` of them."""

    def __init__(
        self,
        db: Database,
        url: str,
        settings: BackupSettings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.target = parse_target(url)
        self.url = url
        self.settings = settings
        self.clock = clock or utc_now

    def status(self) -> tuple[dict[str, Any], str]:
        """The stored status and the office's time zone."""
        with self.db.read_session() as session:
            office = get_office(session)
            row = session.get(OfficeSetting, (office.id, STATUS_KEY))
            return (dict(row.value) if row else {}), office.timezone

    def due(self, status: dict[str, Any], now: datetime, timezone: str) -> bool:
        """Whether the latest scheduled backup is still to be taken, by nobody else now."""
        running = _when(status, "running_since")
        if running is not None and now - running < STALE_RUN:
            return False
        slot = latest_slot(local_time(_Zone(timezone), now), self.settings.time)
        success = _when(status, "last_success")
        if success is not None and success >= slot:
            return False
        attempt = _when(status, "last_attempt")
        failed = status.get("last_error") and attempt is not None
        return not (failed and attempt is not None and now - attempt < RETRY_AFTER)

    def _claim(self, now: datetime) -> bool:
        """Mark the backup as running, if it is due and nobody else has; True if we did."""
        try:
            with self.db.write_session() as session:
                office = get_office(session)
                row = session.get(OfficeSetting, (office.id, STATUS_KEY), with_for_update=True)
                status = dict(row.value) if row else {}
                if not self.due(status, now, office.timezone):
                    return False
                status.update(running_since=now.isoformat(), last_attempt=now.isoformat())
                if row is None:
                    session.add(
                        OfficeSetting(
                            office_id=office.id, key=STATUS_KEY, value=status, updated_at=now
                        )
                    )
                else:
                    row.value, row.updated_at = status, now
        except IntegrityError:
            return False  # another process inserted the first status at the same moment
        return True

    def _finish(self, now: datetime, **outcome: Any) -> None:
        """Record how the claimed backup ended."""
        with self.db.write_session() as session:
            office = get_office(session)
            row = session.get(OfficeSetting, (office.id, STATUS_KEY), with_for_update=True)
            status = dict(row.value) if row else {}
            status.update(running_since=None, **outcome)
            if row is None:
                session.add(
                    OfficeSetting(office_id=office.id, key=STATUS_KEY, value=status, updated_at=now)
                )
            else:
                row.value, row.updated_at = status, now

    def run_if_due(self, now: datetime | None = None) -> Path | None:
        """Take the backup if it is due; returns the file written, None if none was."""
        now = now or self.clock()
        status, timezone = self.status()
        if not self.due(status, now, timezone) or not self._claim(now):
            return None
        local = local_time(_Zone(timezone), now)
        folder = self.settings.dir
        try:
            if not folder.is_dir():
                raise BackupError(
                    f"the backup folder {folder} does not exist (is the drive plugged in?)"
                )
            name = f"luot-daily-{local:%Y-%m-%d}{self.target.suffix}"
            written = make_backup(self.url, folder / name, local)
            removed = prune(folder, local.date(), self.settings.keep_days)
        except Exception as exc:
            log.error("the daily backup to %s failed: %s", folder, exc)
            self._finish(now, last_error=str(exc))
            return None
        self._finish(now, last_success=now.isoformat(), last_file=str(written), last_error=None)
        log.info("daily backup written to %s (%d old ones removed)", written, len(removed))
        return written

    def run_forever(self, stop: threading.Event) -> None:
        """Check every minute until `stop` is set."""
        while not stop.is_set():
            try:
                self.run_if_due()
            except Exception:
                log.exception("the daily backup check failed")
            stop.wait(CHECK_SECONDS)

    def health(self, now: datetime | None = None) -> dict[str, Any]:
        """The backup's state for supervisors: ok, running, failed, overdue or never."""
        now = now or self.clock()
        status, timezone = self.status()
        success = _when(status, "last_success")
        attempt = _when(status, "last_attempt")
        slot = latest_slot(local_time(_Zone(timezone), now), self.settings.time)
        running = _when(status, "running_since")
        if running is not None and now - running < STALE_RUN:
            state = "running"
        elif status.get("last_error") and attempt is not None:
            state = "failed"
        elif success is None:
            state = "never"
        elif success < slot and now - slot > RETRY_AFTER:
            state = "overdue"
        else:
            state = "ok"
        return {
            "state": state,
            "dir": str(self.settings.dir),
            # In office time, like every other time the API gives.
            "last_success": (
                local_time(_Zone(timezone), success).isoformat(timespec="seconds")
                if success is not None
                else None
            ),
            "last_file": status.get("last_file"),
            "last_error": status.get("last_error"),
        }


@dataclass(frozen=True)
class _Zone:
    """A time zone name where local_time wants an office."""

    timezone: str
