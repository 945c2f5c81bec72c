"""Summaries of durations: count, mean, median and 90th percentile, by one stated method.

Percentiles use linear interpolation between closest ranks, the method of Excel's
PERCENTILE.INC, numpy's default and PostgreSQL's percentile_cont: for n sorted values
x[0] ≤ … ≤ x[n-1] and a fraction p, let h = (n − 1)·p; the percentile is
x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). The median is p = 0.5 (the usual median).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The `fraction` (0–1) percentile of already sorted values; None when there are none."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class DurationSummary:
    """Durations in seconds: how many, their mean, median and 90th percentile (None if none)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of_millis(cls, millis: list[int]) -> DurationSummary:
        """Summarise durations given in whole milliseconds (the list is sorted in place)."""
        if not millis:
            return cls()
        millis.sort()
        median, p90 = percentile(millis, 0.5), percentile(millis, 0.9)
        assert median is not None and p90 is not None
        return cls(len(millis), sum(millis) / len(millis) / 1000, median / 1000, p90 / 1000)

    def minutes(self) -> dict[str, float | int | None]:
        """The summary in minutes, rounded to 0.01, for JSON."""

        def mins(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds / 60, 2)

        return {
            "count": self.count,
            "average": mins(self.mean),
            "median": mins(self.median),
            "p90": mins(self.p90),
        }
