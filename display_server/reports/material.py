"""One day's report material for one scan kind: what a live scan returns and a rollup stores.

A *kind* is one way of cutting a day: "cube" by hour and service (it answers the day, hour and
service groupings), "counter" and "officer". Each group keeps its service too, so waits are
compared with that service's target when a report is made, never when the material is stored;
ratings are kept as counts per score and level, so the satisfied score is applied late too.
The material is kept flat, as stored, so reading a year of rollups builds no object per group.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from .figures import Bucket
from .periods import Grouping

Kind = Literal["cube", "counter", "officer"]
KIND_KEYS: dict[Kind, tuple[Grouping, ...]] = {
    "cube": ("hour", "service"),
    "counter": ("counter",),
    "officer": ("officer",),
}
COUNTS = 5  # issued, cancelled, served, no_show, transferred


def kind_of(grouping: Grouping) -> Kind:
    """The scan kind that answers `grouping`."""
    return "cube" if grouping in ("day", "hour", "service") else grouping  # type: ignore[return-value]


def key_width(kind: Kind) -> int:
    """How many keys a group of `kind` has: the kind's, then its service if not among them."""
    keys = KIND_KEYS[kind]
    return len(keys) + (0 if "service" in keys else 1)


@dataclass
class DayMaterial:
    """All groups of one day for one kind.

    `parts`: one row per group: its keys (`key_width`), issued, cancelled, served, no_show,
    transferred, then how many waits and service times it has; `millis` holds, group after
    group, its waits then its service times, each sorted (milliseconds). `ratings`: one row
    per group (the kind's keys only), score and level: the keys, score, level, count."""

    parts: list[list[Any]] = field(default_factory=list)
    millis: list[int] = field(default_factory=list)
    ratings: list[list[Any]] = field(default_factory=list)

    def add(
        self, key: Sequence[Any], counts: Sequence[int], waits: list[int], services: list[int]
    ) -> None:
        """Add one group (its duration lists sorted here)."""
        waits.sort()
        services.sort()
        self.parts.append([*key, *counts, len(waits), len(services)])
        self.millis += waits
        self.millis += services

    def encode(self) -> tuple[dict[str, Any], bytes]:
        """(JSON-able rows, zlib-packed milliseconds) for a rollup row."""
        packed = zlib.compress(array("q", self.millis).tobytes(), 1)
        return {"parts": self.parts, "ratings": self.ratings}, packed

    @classmethod
    def decode(cls, groups: Mapping[str, Any], packed: bytes) -> DayMaterial:
        """The material `encode` stored."""
        millis: array[int] = array("q")
        millis.frombytes(zlib.decompress(packed))
        return cls(groups["parts"], millis.tolist(), groups["ratings"])


def group(
    days: Mapping[date, DayMaterial],
    kind: Kind,
    groupings: Sequence[Grouping],
    targets: Mapping[int, int],
    satisfied_score: int,
) -> dict[Grouping, dict[Hashable, Bucket]]:
    """For each of `groupings` (all answered by `kind`), its buckets by group key: waits
    compared with each service's target (milliseconds), ratings scored against
    `satisfied_score`. Each group goes straight into its buckets, so a year costs one pass."""
    keys = KIND_KEYS[kind]
    width = key_width(kind)
    service_at = keys.index("service") if "service" in keys else len(keys)
    # None: the day; otherwise where the grouping's key sits in a group's keys.
    where = [(g, None if g == "day" else keys.index(g)) for g in groupings]
    found: dict[Grouping, dict[Hashable, Bucket]] = {g: {} for g in groupings}

    def bucket(grouping: Grouping, key: Hashable) -> Bucket:
        into = found[grouping].get(key)
        if into is None:
            into = found[grouping][key] = Bucket()
        return into

    for day, material in days.items():
        millis = material.millis
        at = 0
        for row in material.parts:
            issued, cancelled, served, no_show, transferred, n_waits, n_services = row[width:]
            waits = millis[at : at + n_waits]
            services = millis[at + n_waits : at + n_waits + n_services]
            at += n_waits + n_services
            target = targets.get(row[service_at])
            within = bisect_right(waits, target) if target else 0
            for grouping, position in where:
                into = bucket(grouping, day if position is None else row[position])
                into.issued += issued
                into.cancelled += cancelled
                into.served += served
                into.no_show += no_show
                into.transferred += transferred
                into.waits += waits
                into.services += services
                if target:
                    into.within_target += within
                    into.with_target += n_waits
        for *key, score, level, count in material.ratings:
            satisfied = count if score >= satisfied_score else 0
            for grouping, position in where:
                into = bucket(grouping, day if position is None else key[position])
                into.ratings += count
                into.score_sum += score * count
                into.satisfied += satisfied
                into.levels[level] += count
    return found
