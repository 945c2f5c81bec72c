"""The announcer on a real bus: order, no loss, no overlap, a killed worker, a broken engine."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil

from display_server.events import TICKET_FINISHED, TICKET_RECALLED
from display_server.voice.chime import FIRST_TONE_HZ, chime
from display_server.voice.player import CommandBackend, Player
from display_server.voice.settings import VoiceSettings
from display_server.voice.speech import SpeechEngine
from display_server.voice.wavfile import read_wav

MakeAnnouncer = Callable[..., Any]


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_twenty_quick_calls_play_in_order_without_overlap(
    make_announcer: MakeAnnouncer,
    publish_call: Callable[..., Any],
    player_log: tuple[list[str], Path],
) -> None:
    command, log = player_log
    announcer, bus, ready = make_announcer(VoiceSettings(), player=Player(CommandBackend(command)))
    numbers = [f"A{n:03d}" for n in range(1, 21)]
    started = time.monotonic()
    for index, number in enumerate(numbers):
        publish_call(bus, number, counter=index % 5 + 1)
    # Publishing never waits for speech: the announcements are still being made.
    assert len(ready) < len(numbers) and time.monotonic() - started < 1.0
    assert announcer.wait_idle(30)
    _wait_for(lambda: log.exists() and log.read_text().count("end ") == 20)

    assert [event.data["ticket_number"] for event in ready] == numbers
    assert all(event.data["status"] == "ready" for event in ready)
    paths = [announcer.log.get(e.data["id"]).audio_path for e in ready]
    files = {str(path): number for path, number in zip(paths, numbers, strict=True)}
    rows = [line.split() for line in log.read_text().splitlines()]
    starts = [(float(at), files[name]) for kind, at, name in rows if kind == "start"]
    ends = [float(at) for kind, at, _ in rows if kind == "end"]
    assert [number for _, number in starts] == numbers  # in call order, none lost
    for (start, _), end, (next_start, _) in zip(starts, ends, starts[1:], strict=False):
        assert start < end <= next_start  # never two at once
    _wait_for(lambda: all(a.status == "played" for a in announcer.log.latest(50)))


def test_chime_comes_first_then_the_words(
    make_announcer: MakeAnnouncer,
    publish_call: Callable[..., Any],
    quiet_settings: VoiceSettings,
    dominant_frequency: Callable[..., float],
) -> None:
    announcer, bus, ready = make_announcer(quiet_settings)
    publish_call(bus, "A012", counter=3)
    assert announcer.wait_idle(30)
    data = ready[0].data
    assert data["text"] == "Mời công dân có số thứ tự A mười hai đến quầy số ba"
    assert data["audio_url"] == f"/api/v1/announcements/{data['id']}/audio"
    pcm = read_wav(announcer.log.get(data["id"]).audio_path)
    bell = chime(pcm.rate)
    assert pcm.samples[: len(bell.samples)] == bell.samples
    first_part = list(pcm.samples[: int(0.3 * pcm.rate)])
    assert abs(dominant_frequency(first_part, pcm.rate) - FIRST_TONE_HZ) <= 5
    # chime + 2 × speech of 1.5–8 s each
    assert bell.duration + 2 * 1.5 < pcm.duration < bell.duration + 2 * 8 + 2
    assert data["engine"] in {"pyttsx3", "espeak-ng"} and data["duration"] == round(pcm.duration, 3)


def test_killed_worker_mid_announcement(
    make_announcer: MakeAnnouncer, publish_call: Callable[..., Any], quiet_settings: VoiceSettings
) -> None:
    announcer, bus, ready = make_announcer(quiet_settings)
    assert announcer.engine.wait_ready(20)  # only this test thread touches it before the start
    first_worker = announcer.engine.worker_pid
    assert first_worker is not None
    for n in range(1, 11):
        publish_call(bus, f"B{n:03d}")
        if n == 2:
            _wait_for(lambda: len(ready) >= 1)
            os.kill(first_worker, signal.SIGKILL)  # while B002… are being synthesised
    assert announcer.wait_idle(30)
    assert [e.data["ticket_number"] for e in ready] == [f"B{n:03d}" for n in range(1, 11)]
    assert all(e.data["status"] == "ready" for e in ready)
    # The worker comes back and speaks again.
    _wait_for(lambda: announcer.engine.worker_pid not in (None, first_worker))
    assert psutil.Process(announcer.engine.worker_pid).is_running()
    for n in range(11, 16):
        publish_call(bus, f"B{n:03d}")
        assert announcer.wait_idle(30)
        time.sleep(0.2)  # give the new worker time to be ready
    assert len(ready) == 15 and ready[-1].data["engine"] == "pyttsx3"


def test_broken_speech_still_gives_the_chime(
    make_announcer: MakeAnnouncer, publish_call: Callable[..., Any], quiet_settings: VoiceSettings
) -> None:
    engine = SpeechEngine(quiet_settings, use_worker=False, use_cli=False)
    announcer, bus, ready = make_announcer(quiet_settings, engine=engine)
    event = publish_call(bus, "C007")
    assert event.seq == 1  # the call itself went through the bus untouched
    assert announcer.wait_idle(10)
    data = ready[0].data
    assert data["status"] == "failed" and data["error"]
    assert read_wav(announcer.log.get(data["id"]).audio_path).samples == chime(22050).samples


def test_recall_reuses_the_cached_audio(
    make_announcer: MakeAnnouncer, publish_call: Callable[..., Any], quiet_settings: VoiceSettings
) -> None:
    announcer, bus, ready = make_announcer(replace(quiet_settings, repeat=1))
    publish_call(bus, "D004", counter=2)
    publish_call(bus, "D004", counter=2, kind=TICKET_RECALLED)
    bus.publish(TICKET_FINISHED, 1, {"ticket": {"number": "D004", "counter": 2}})
    bus.publish("ticket.called", 1, {"ticket": {}})  # malformed: ignored, not fatal
    assert announcer.wait_idle(30)
    first, second = (announcer.log.get(e.data["id"]) for e in ready)
    assert [e.data["kind"] for e in ready] == ["call", "recall"]
    assert first.audio_path == second.audio_path and second.engine == "cache"
    assert len(list(announcer.cache.directory.glob("*.wav"))) == 1


def test_english_and_digit_settings(
    make_announcer: MakeAnnouncer, publish_call: Callable[..., Any], quiet_settings: VoiceSettings
) -> None:
    settings = replace(quiet_settings, language="en", number_style="digits", repeat=1)
    announcer, bus, ready = make_announcer(settings)
    publish_call(bus, "A012", counter=4)
    assert announcer.wait_idle(30)
    assert ready[0].data["text"] == "Ticket A, 0, 1, 2, please go to counter 4"
    assert ready[0].data["status"] == "ready"


def test_shutdown_stops_the_worker(
    make_announcer: MakeAnnouncer, publish_call: Callable[..., Any], quiet_settings: VoiceSettings
) -> None:
    announcer, bus, ready = make_announcer(quiet_settings)
    publish_call(bus, "A001")
    assert announcer.wait_idle(30)
    _wait_for(lambda: announcer.engine.worker_pid is not None)
    pid = announcer.engine.worker_pid
    announcer.shutdown()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    publish_call(bus, "A002")  # after shutdown: ignored
    assert len(ready) == 1
