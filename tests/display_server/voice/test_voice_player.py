"""Playback on the server: strict order, no overlap, a missing player logged once."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import pytest

from display_server.voice.chime import chime
from display_server.voice.player import CommandBackend, Player, default_backend
from display_server.voice.wavfile import write_wav


def _played(log: Path) -> list[tuple[str, float, str]]:
    rows = [line.split() for line in log.read_text().splitlines()]
    return [(kind, float(at), name) for kind, at, name in rows]


def test_files_play_in_order_without_overlap(
    tmp_path: Path, player_log: tuple[list[str], Path]
) -> None:
    command, log = player_log
    files = []
    for index in range(5):
        path = tmp_path / f"{index}.wav"
        write_wav(path, chime(8000 + 1000 * index))
        files.append(path)
    finished = threading.Event()
    results: list[bool] = []

    def done(played: bool) -> None:
        results.append(played)
        if len(results) == len(files):
            finished.set()

    player = Player(CommandBackend(command))
    try:
        for path in files:
            player.enqueue(path, 1.0, done)
        assert finished.wait(10)
    finally:
        player.close()
    rows = _played(log)
    assert [name for kind, _, name in rows if kind == "start"] == [str(p) for p in files]
    assert results == [True] * 5
    for (kind, at, _), (next_kind, next_at, _) in zip(rows, rows[1:], strict=False):
        assert (kind, next_kind) in {("start", "end"), ("end", "start")}
        assert next_at >= at


def test_missing_player_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "a.wav"
    write_wav(path, chime(8000))
    results: list[bool] = []
    finished = threading.Event()
    player = Player(CommandBackend([str(tmp_path / "no-such-player")]))
    with caplog.at_level(logging.DEBUG, logger="display_server.voice.player"):
        for _ in range(3):
            player.enqueue(path, 0.1, results.append)
        player.enqueue(path, 0.1, lambda _played: finished.set())
        assert finished.wait(5)
        player.close()
    assert results == [False, False, False]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "no-such-player" in warnings[0].getMessage()


def test_no_sound_device_is_not_an_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """This machine has aplay but no sound card: a warning, never an exception."""
    path = tmp_path / "a.wav"
    write_wav(path, chime(8000))
    finished = threading.Event()
    results: list[bool] = []
    player = Player(default_backend())
    with caplog.at_level(logging.WARNING, logger="display_server.voice.player"):
        player.enqueue(path, 1.0, lambda played: (results.append(played), finished.set()))
        assert finished.wait(10)
        player.close()
    assert len(results) == 1


def test_player_choice() -> None:
    assert default_backend(["my-player", "--loud", "{file}"]).args == [  # type: ignore[union-attr]
        "my-player",
        "--loud",
        "{file}",
    ]
    aplay = default_backend(device="plughw:1,0")
    assert isinstance(aplay, CommandBackend)
    assert aplay.args[-2:] == ["-D", "plughw:1,0"] or aplay.args[-1] == "--device=plughw:1,0"


def test_a_failed_device_is_left_alone_for_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No speaker: one failing player process, not one per call (they cost the server CPU)."""
    path = tmp_path / "a.wav"
    write_wav(path, chime(8000))
    tries = tmp_path / "tries"
    script = tmp_path / "player.py"
    script.write_text(
        "import sys, pathlib\n"
        f"p = pathlib.Path({str(tries)!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        "sys.exit('no sound card')\n"
    )
    player = Player(CommandBackend([sys.executable, str(script)]))
    results: list[bool] = []
    finished = threading.Event()
    for _ in range(5):
        player.enqueue(path, 0.1, results.append)
    player.enqueue(path, 0.1, lambda _played: finished.set())
    assert finished.wait(10)
    assert results == [False] * 5 and tries.read_text() == "x"
    # Once the pause is over the device is tried again.
    monkeypatch.setattr("display_server.voice.player.RETRY_SECONDS", 0.0)
    player._retry_at = 0.0
    again = threading.Event()
    player.enqueue(path, 0.1, lambda played: (results.append(played), again.set()))
    assert again.wait(10)
    player.close()
    assert results[-1] is False and tries.read_text() == "xx"
