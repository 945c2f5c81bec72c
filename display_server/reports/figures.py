"""The figures of one report row, and how they are accumulated from tickets, steps and ratings.

Units: a *ticket* is one citizen's number; a *step* is one visit of that ticket to one service
at one counter (a transfer or a bundled procedure adds steps). Ticket figures: issued,
cancelled, waiting time, share within the target wait. Step figures: served, no-show,
transferred, service time. Satisfaction figures come from ratings, one per step at most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .stats import DurationSummary


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """Everything a report says about one group (or the whole period)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0
    wait: DurationSummary = DurationSummary()
    service: DurationSummary = DurationSummary()
    within_target: int = 0
    with_target: int = 0
    ratings: int = 0
    satisfied: int = 0
    score_sum: int = 0
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def within_target_share(self) -> float | None:
        """Of the called tickets whose service has a target wait, the share called in time."""
        return _share(self.within_target, self.with_target)

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings at or above the satisfied score."""
        return _share(self.satisfied, self.ratings)

    @property
    def average_score(self) -> float | None:
        """Mean rating score."""
        return self.score_sum / self.ratings if self.ratings else None

    def to_json(self) -> dict[str, Any]:
        """The figures for the JSON API (durations in minutes, shares as fractions 0–1)."""

        def rounded(value: float | None, digits: int = 4) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "transferred": self.transferred,
            "wait_minutes": self.wait.minutes(),
            "service_minutes": self.service.minutes(),
            "within_target": {
                "count": self.within_target,
                "of": self.with_target,
                "share": rounded(self.within_target_share),
            },
            "satisfaction": {
                "ratings": self.ratings,
                "satisfied": self.satisfied,
                "rate": rounded(self.satisfaction_rate),
                "average_score": rounded(self.average_score, 2),
                "levels": dict(self.levels),
            },
        }


@dataclass
class Bucket:
    """Raw material of one group, filled row by row and summarised once by `figures`;
    durations are whole milliseconds."""

    issued: int = 0
    cancelled: int = 0
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    waits: list[int] = field(default_factory=list)  # milliseconds
    services: list[int] = field(default_factory=list)
    within_target: int = 0
    with_target: int = 0
    ratings: int = 0
    satisfied: int = 0
    score_sum: int = 0
    levels: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Bucket) -> None:
        """Add `other`'s material to this bucket (for totals and coarser groups)."""
        self.issued += other.issued
        self.cancelled += other.cancelled
        self.served += other.served
        self.no_show += other.no_show
        self.transferred += other.transferred
        self.within_target += other.within_target
        self.with_target += other.with_target
        self.ratings += other.ratings
        self.satisfied += other.satisfied
        self.score_sum += other.score_sum
        self.waits.extend(other.waits)
        self.services.extend(other.services)
        if other.levels:
            self.levels.update(other.levels)

    def figures(self) -> Figures:
        """The summarised figures."""
        return Figures(
            issued=self.issued,
            served=self.served,
            no_show=self.no_show,
            cancelled=self.cancelled,
            transferred=self.transferred,
            wait=DurationSummary.of_millis(self.waits),
            service=DurationSummary.of_millis(self.services),
            within_target=self.within_target,
            with_target=self.with_target,
            ratings=self.ratings,
            satisfied=self.satisfied,
            score_sum=self.score_sum,
            levels=dict(sorted(self.levels.items())),
        )
