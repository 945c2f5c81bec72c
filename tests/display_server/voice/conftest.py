"""Fixtures for the voice tests: settings, a real announcer on a plain bus, a logging player."""

from __future__ import annotations

import math
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from display_server.events import TICKET_CALLED, Event, EventBus
from display_server.voice.announcer import ANNOUNCEMENT_READY, Announcer
from display_server.voice.player import Player
from display_server.voice.settings import VoiceSettings
from display_server.voice.speech import SpeechEngine

DEFAULT_SENTENCE = "Mời công dân có số thứ tự A mười hai đến quầy số ba"


def _dominant_frequency(samples: list[int], rate: int, low: int = 200, high: int = 2000) -> float:
    """The strongest frequency between `low` and `high` Hz (Goertzel, 5 Hz steps)."""
    best, best_power = 0.0, -1.0
    for frequency in range(low, high, 5):
        coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
        s1 = s2 = 0.0
        for sample in samples:
            s1, s2 = sample + coefficient * s1 - s2, s1
        power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        if power > best_power:
            best, best_power = float(frequency), power
    return best


@pytest.fixture
def quiet_settings() -> VoiceSettings:
    """Default settings that play nothing on this machine."""
    return replace(VoiceSettings(), play_on_server=False)


@pytest.fixture
def player_log(tmp_path: Path) -> tuple[list[str], Path]:
    """A real player command (sh + sox) that logs "start|end <epoch> <file>" lines."""
    log = tmp_path / "played.log"
    script = tmp_path / "player.sh"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "start $(date +%s.%N) $1" >> "{log}"\n'
        # sox reads the whole file: a file that is not a valid WAV fails the "playback".
        'sox -q "$1" -n stat 2>/dev/null || exit 3\n'
        "sleep 0.02\n"
        f'echo "end $(date +%s.%N) $1" >> "{log}"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)], log


Made = tuple[Announcer, EventBus, list[Event]]


@pytest.fixture
def make_announcer(tmp_path: Path) -> Iterator[Callable[..., Made]]:
    """Build announcers on their own bus; returns (announcer, bus, ready events)."""
    made: list[Announcer] = []

    def factory(
        settings: VoiceSettings, *, engine: SpeechEngine | None = None, player: Player | None = None
    ) -> Made:
        bus = EventBus()
        ready: list[Event] = []

        def collect(event: Event) -> None:
            if event.kind == ANNOUNCEMENT_READY:
                ready.append(event)

        bus.subscribe(collect)
        announcer = Announcer(
            bus, settings, tmp_path / f"cache{len(made)}", engine=engine, player=player
        )
        made.append(announcer)
        return announcer, bus, ready

    yield factory
    for announcer in made:
        announcer.shutdown()


def _call_event(bus: EventBus, number: str, counter: int = 3, kind: str = TICKET_CALLED) -> Event:
    """Publish a call as the queue engine does after commit."""
    ticket: dict[str, Any] = {
        "id": abs(hash(number)) % 100000,
        "number": number,
        "service": number[0],
        "service_name": "Hộ tịch",
        "status": "called",
        "counter": counter,
        "counter_name": f"Quầy {counter}",
    }
    counter_json = {"number": counter, "name": f"Quầy {counter}"}
    return bus.publish(kind, 1, {"ticket": ticket, "counter": counter_json})


@pytest.fixture
def publish_call() -> Callable[..., Event]:
    """publish_call(bus, "A012", counter=3, kind=TICKET_CALLED): a call as the core sends it."""
    return _call_event


@pytest.fixture
def dominant_frequency() -> Callable[..., float]:
    """dominant_frequency(samples, rate): the strongest frequency, 200–2000 Hz."""
    return _dominant_frequency
