"""How satisfaction is counted: the rating levels in force, the score that counts as satisfied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..queue.ratings import RatingSettings
from ..settings import section


def _levels(values: Mapping[str, Any]) -> list[tuple[str, str, str, int]]:
    """(key, label, English label, score) of each level, read like the rating screen reads them."""
    levels = RatingSettings.from_section(values).levels
    return [(lv.key, lv.label, lv.label_en or lv.label, lv.score) for lv in levels]


def satisfied_score(app: Flask) -> int:
    """`[rating] satisfied_min_score` when set; else the second-highest level's score when there
    are three or more levels (the top two count as satisfied), else the highest."""
    values = section(app, "rating")
    explicit = values.get("satisfied_min_score")
    if isinstance(explicit, int) and not isinstance(explicit, bool) and 1 <= explicit <= 10:
        return explicit
    scores = sorted({score for *_, score in _levels(values)}, reverse=True)
    if not scores:
        return 2
    return scores[1] if len(scores) >= 3 else scores[0]


def level_labels(app: Flask, language: str = "vi") -> dict[str, str]:
    """Each level's label by key, in `language`."""
    return {
        key: (label_en if language == "en" else label)
        for key, label, label_en, _ in _levels(section(app, "rating"))
    }
