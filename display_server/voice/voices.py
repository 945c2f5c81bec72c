"""Installed voices and the rule that picks one: the configured voice, else one for the language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Names that mark a Vietnamese voice whose language tag a driver may not report
# ("Microsoft An" on Windows, "Linh" on macOS); word bounds keep out "Microsoft Anna".
_VIETNAMESE_NAME = re.compile(r"vietnam|\bmicrosoft an\b|\blinh\b", re.IGNORECASE)


@dataclass(frozen=True)
class VoiceInfo:
    """One voice as a driver lists it."""

    id: str
    name: str
    languages: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the worker pipe and the CLI."""
        return {"id": self.id, "name": self.name, "languages": list(self.languages)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoiceInfo:
        """The inverse of `to_json`."""
        return cls(str(data["id"]), str(data["name"]), tuple(map(str, data["languages"])))


def choose_voice(voices: list[VoiceInfo], wanted: str, language: str) -> VoiceInfo | None:
    """The configured voice (exact id, else a name or id containing `wanted`), else the best one
    speaking `language`; None when nothing fits (the engine then keeps its default voice)."""
    if wanted:
        needle = wanted.casefold()
        for voice in voices:
            if voice.id.casefold() == needle:
                return voice
        for voice in voices:
            if needle in voice.name.casefold() or needle in voice.id.casefold():
                return voice
    ranked = sorted(
        (rank, index, voice)
        for index, voice in enumerate(voices)
        if (rank := _language_rank(voice, language)) is not None
    )
    return ranked[0][2] if ranked else None


def _language_rank(voice: VoiceInfo, language: str) -> int | None:
    """0 for the exact language tag, 1 for a regional variant, 2 for a name match, else None."""
    tags = [tag.casefold().replace("_", "-") for tag in voice.languages]
    if language in tags:
        return 0
    if any(tag.startswith(language + "-") for tag in tags):
        return 1
    if language == "vi" and _VIETNAMESE_NAME.search(voice.name):
        return 2
    return None
