"""Remembered settings, typed addresses, and the command line that overrides them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from counter_app.cli import add_options, resolve_settings
from counter_app.config import ConfigStore, Settings, normalize_server, parse_counter
from counter_app.errors import ConfigError


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("192.168.1.10:8080", "http://192.168.1.10:8080"),
        ("http://luot.local/", "http://luot.local"),
        (" https://luot.example.vn/api/v1 ", "https://luot.example.vn"),
    ],
)
def test_server_addresses_as_typed(typed: str, url: str) -> None:
    assert normalize_server(typed) == url


@pytest.mark.parametrize("typed", ["", "   ", "ftp://x", "http://", "host:port"])
def test_unusable_addresses_are_explained(typed: str) -> None:
    with pytest.raises(ConfigError) as refused:
        normalize_server(typed)
    assert refused.value.message.startswith(("Hãy nhập", "Địa chỉ máy chủ không hợp lệ"))


def test_counter_numbers() -> None:
    assert parse_counter(" 12 ") == 12
    for bad in ("0", "10000", "một", ""):
        with pytest.raises(ConfigError):
            parse_counter(bad)


def test_store_round_trip_and_damaged_files(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "deep" / "counter_app.json")
    assert store.load() == Settings()
    remembered = Settings(
        server="http://10.0.0.5:8080",
        counter=4,
        username="lan",
        language="en",
        theme="dark",
        compact=True,
    )
    store.save(remembered)
    assert store.load() == remembered
    assert list(store.path.parent.iterdir()) == [store.path]  # no temporary file left behind

    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() == Settings()
    store.path.write_text(
        json.dumps(
            {
                "server": "ftp://x",
                "counter": True,
                "theme": "pink",
                "language": "vi",
                "token": "leak?",
            }
        ),
        encoding="utf-8",
    )
    assert store.load() == Settings(language="vi")


def test_command_line_overrides_what_is_remembered(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "c.json")
    store.save(Settings(server="http://old:8080", counter=2, username="lan"))
    parser = argparse.ArgumentParser()
    add_options(parser)
    args = parser.parse_args(["--server", "new:9000", "--counter", "5", "--compact"])
    settings = resolve_settings(args, store)
    assert (settings.server, settings.counter, settings.username, settings.compact) == (
        "http://new:9000",
        5,
        "lan",
        True,
    )
    assert store.load().server == "http://old:8080"  # remembered only after a sign-in works
    with pytest.raises(ConfigError):
        resolve_settings(parser.parse_args(["--counter", "x"]), store)
