"""What the app remembers between runs (server, counter, language, theme) in a JSON file."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_config_dir

from .errors import ConfigError
from .i18n import LANGUAGES, _

THEMES = ("light", "dark")
MAX_COUNTER = 9999


@dataclass(frozen=True)
class Settings:
    """The remembered settings; the password and the token are never among them."""

    server: str | None = None
    counter: int | None = None
    username: str | None = None
    language: str = "vi"
    theme: str = "light"
    compact: bool = False

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


def default_path() -> Path:
    """Where the settings live: $LUOT_COUNTER_CONFIG, else the user's config directory."""
    override = os.environ.get("LUOT_COUNTER_CONFIG")
    if override:
        return Path(override)
    return Path(user_config_dir("luot", appauthor=False)) / "counter_app.json"


def normalize_server(text: str) -> str:
    """A usable base URL from what the officer typed ("10.0.0.5:8080" → "http://10.0.0.5:8080")."""
    value = text.strip()
    if not value:
        raise ConfigError(_("Hãy nhập địa chỉ máy chủ."))
    if "://" not in value:
        value = f"http://{value}"
    value = value.rstrip("/")
    for suffix in ("/api/v1", "/api"):
        if value.endswith(suffix):
            value = value[: -len(suffix)]
    invalid = ConfigError(_("Địa chỉ máy chủ không hợp lệ: {address}", address=text.strip()))
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise invalid from exc
    return value


def parse_counter(text: str | int) -> int:
    """A counter number from 1 to 9999."""
    try:
        number = int(str(text).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_COUNTER:
        raise ConfigError(_("Số quầy phải là số nguyên từ 1 đến {max}.", max=MAX_COUNTER))
    return number


def _clean(raw: dict[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known}
    settings = Settings()
    if isinstance(values.get("server"), str):
        try:
            settings = settings.with_changes(server=normalize_server(values["server"]))
        except ConfigError:
            pass
    counter = values.get("counter")
    if isinstance(counter, int) and not isinstance(counter, bool) and 1 <= counter <= MAX_COUNTER:
        settings = settings.with_changes(counter=counter)
    if isinstance(values.get("username"), str):
        settings = settings.with_changes(username=values["username"][:64])
    if values.get("language") in LANGUAGES:
        settings = settings.with_changes(language=values["language"])
    if values.get("theme") in THEMES:
        settings = settings.with_changes(theme=values["theme"])
    if isinstance(values.get("compact"), bool):
        settings = settings.with_changes(compact=values["compact"])
    return settings


class ConfigStore:
    """Reads and writes the settings file; a missing or damaged file means defaults."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def load(self) -> Settings:
        """The remembered settings."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Settings()
        return _clean(raw) if isinstance(raw, dict) else Settings()

    def save(self, settings: Settings) -> None:
        """Write atomically, so a crash mid-write never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(asdict(settings), ensure_ascii=False, indent=2)
        handle, temp = tempfile.mkstemp(prefix=".counter_app.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, self.path)
        except OSError:
            Path(temp).unlink(missing_ok=True)
            raise
