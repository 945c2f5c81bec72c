"""Computed reports kept until the data changes, so a page, its export and a second look at the
same period cost one computation.

An entry is valid while the data version is unchanged: the newest event-log, rating and audit
ids and the last settings change. Every queue change writes the event log, every rating a
rating row and every administration change the audit log, so a change made by any process is
seen at the next request. (Provisioning from the site file writes none of them: it happens at
start-up, when the cache is empty.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditLog, EventLog, Office, OfficeSetting, Rating
from .periods import Grouping, Period
from .queries import Report, compute_reports
from .rollups import RollupStore


def data_version(session: Session, office: Office) -> tuple[Any, ...]:
    """What changes whenever anything a report shows could have changed."""
    return (
        session.scalar(select(func.max(EventLog.id))),
        session.scalar(select(func.max(Rating.id))),
        session.scalar(select(func.max(AuditLog.id))),
        session.scalar(select(func.max(OfficeSetting.updated_at))),
        office.id,
    )


class ReportCache:
    """A small thread-safe LRU of reports keyed by office, period, grouping, score, version."""

    def __init__(self, size: int = 24) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Report] = OrderedDict()
        self._lock = threading.Lock()
        # One computation at a time: a second request for the same cold period waits and then
        # finds it cached (and the rollups the first one stored) instead of repeating the work.
        self._computing = threading.Lock()
        self.hits = self.misses = 0

    def reports(
        self,
        session: Session,
        office: Office,
        period: Period,
        groupings: tuple[Grouping, ...],
        *,
        satisfied_score: int,
        rollups: RollupStore | None = None,
    ) -> dict[Grouping, Report]:
        """The reports of `period` for `groupings`, computing only those not cached."""
        version = data_version(session, office)
        keys = {g: (version, period, g, satisfied_score) for g in groupings}
        found = self._lookup(keys, count=True)
        if len(found) < len(groupings):
            with self._computing:
                found.update(self._lookup(keys))
                missing = tuple(g for g in groupings if g not in found)
                if missing:
                    computed = compute_reports(
                        session,
                        office,
                        period,
                        missing,
                        satisfied_score=satisfied_score,
                        rollups=rollups,
                    )
                    with self._lock:
                        for grouping, report in computed.items():
                            self._entries[keys[grouping]] = report
                        while len(self._entries) > self.size:
                            self._entries.popitem(last=False)
                    found.update(computed)
        return {g: found[g] for g in groupings}

    def _lookup(
        self, keys: Mapping[Grouping, Hashable], count: bool = False
    ) -> dict[Grouping, Report]:
        """The cached reports among `keys`."""
        found: dict[Grouping, Report] = {}
        with self._lock:
            for grouping, key in keys.items():
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[grouping] = self._entries[key]
            if count:
                self.hits += len(found)
                self.misses += len(keys) - len(found)
        return found

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
