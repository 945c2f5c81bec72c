"""The `[voice]` table of the site file, read once into a frozen `VoiceSettings`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .text import DEFAULT_TEMPLATES, NumberStyle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceSettings:
    """How calls are announced. Bad values in the site file are logged and replaced by defaults."""

    enabled: bool = True
    language: str = "vi"
    voice: str = ""  # a voice id or a piece of its name; empty picks one for `language`
    rate: int = 150  # words per minute
    volume: float = 1.0  # 0.0 – 1.0
    template: str = DEFAULT_TEMPLATES["vi"]
    template_en: str = DEFAULT_TEMPLATES["en"]
    number_style: NumberStyle = "value"
    dialect: str = "north"  # "south" reads 105 as "một trăm lẻ năm" and 1000 as "một ngàn"
    repeat: int = 2
    chime: bool = True
    play_on_server: bool = True
    device: str = ""  # sound device for aplay -D / paplay --device; empty is the default
    player: list[str] = field(default_factory=list)  # a command; "{file}" becomes the WAV path
    cache_files: int = 500  # cached announcement WAVs kept on disk

    @property
    def active_template(self) -> str:
        """The template for the chosen language."""
        return self.template_en if self.language == "en" else self.template

    @property
    def southern(self) -> bool:
        """Whether numbers are read the southern way."""
        return self.dialect == "south"

    @classmethod
    def from_site(cls, site: Mapping[str, Any] | None) -> VoiceSettings:
        """Read `site["voice"]`; unknown keys and invalid values are logged, never raised."""
        table = (site or {}).get("voice") or {}
        if not isinstance(table, Mapping):
            log.warning("[voice] in the site file is not a table; using defaults")
            return cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                log.warning("[voice] %s is not a setting; ignored", key)
                continue
            checked = _check(key, value)
            if checked is _INVALID:
                log.warning("[voice] %s = %r is invalid; using the default", key, value)
            else:
                values[key] = checked
        return replace(cls(), **values)


_INVALID = object()


def _check(key: str, value: Any) -> Any:
    """The value converted for `key`, or `_INVALID`."""
    if key in {"enabled", "chime", "play_on_server"}:
        return value if isinstance(value, bool) else _INVALID
    if key in {"voice", "template", "template_en", "device"}:
        return value if isinstance(value, str) else _INVALID
    if key == "language":
        return value if value in {"vi", "en"} else _INVALID
    if key == "number_style":
        return value if value in {"value", "digits"} else _INVALID
    if key == "dialect":
        return value if value in {"north", "south"} else _INVALID
    if key == "player":
        ok = isinstance(value, list) and value and all(isinstance(arg, str) for arg in value)
        return list(value) if ok else _INVALID
    if key == "volume":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
        return float(value) if ok else _INVALID
    limits = {"rate": (50, 400), "repeat": (1, 5), "cache_files": (10, 100_000)}
    low, high = limits[key]
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else _INVALID
