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
from collections.abc import Hashable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditLog, EventLog, Office, OfficeSetting, Rating
from .periods import Grouping, Period
from .queries import Report, compute_reports


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
        self.hits = self.misses = 0

    def reports(
        self,
        session: Session,
        office: Office,
        period: Period,
        groupings: tuple[Grouping, ...],
        *,
        satisfied_score: int,
    ) -> dict[Grouping, Report]:
        """The reports of `period` for `groupings`, computing only those not cached."""
        version = data_version(session, office)
        keys = {g: (version, period, g, satisfied_score) for g in groupings}
        found: dict[Grouping, Report] = {}
        with self._lock:
            for grouping, key in keys.items():
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[grouping] = self._entries[key]
            self.hits += len(found)
            self.misses += len(groupings) - len(found)
        missing = tuple(g for g in groupings if g not in found)
        if missing:
            computed = compute_reports(
                session, office, period, missing, satisfied_score=satisfied_score
            )
            with self._lock:
                for grouping, report in computed.items():
                    self._entries[keys[grouping]] = report
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            found.update(computed)
        return {g: found[g] for g in groupings}

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
