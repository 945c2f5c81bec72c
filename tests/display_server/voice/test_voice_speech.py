"""Real speech: pyttsx3 in its worker process, the espeak-ng fallback, and a worker that dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from display_server.voice.errors import SynthesisError
from display_server.voice.settings import VoiceSettings
from display_server.voice.speech import SpeechEngine

SENTENCE = "Mời công dân có số thứ tự A mười hai đến quầy số ba"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def engine() -> SpeechEngine:
    made = SpeechEngine(VoiceSettings())
    yield made
    made.close()


def test_pyttsx3_worker_speaks_vietnamese(engine: SpeechEngine, tmp_path: Path) -> None:
    assert engine.wait_ready(20)
    assert engine.worker_info is not None
    assert engine.worker_info["chosen"]["id"] == "aav/vi"
    assert engine.worker_pid != os.getpid()
    made = engine.synthesize(SENTENCE, tmp_path / "a.wav")
    assert made.engine == "pyttsx3"
    assert 1.5 <= made.pcm.duration <= 8
    assert made.pcm.rms() > 500
    # The first file after start-up is real too (the warm-up absorbs the empty-file bug).
    assert (tmp_path / "a.wav").stat().st_size > 10_000


def test_rate_changes_the_duration(tmp_path: Path) -> None:
    durations = []
    for rate in (110, 220):
        engine = SpeechEngine(replace(VoiceSettings(), rate=rate))
        try:
            assert engine.wait_ready(20)
            durations.append(engine.synthesize(SENTENCE, tmp_path / f"{rate}.wav").pcm.duration)
        finally:
            engine.close()
    assert durations[0] > 1.5 * durations[1]


def test_espeak_command_line_fallback(tmp_path: Path) -> None:
    engine = SpeechEngine(VoiceSettings(), use_worker=False)
    made = engine.synthesize(SENTENCE, tmp_path / "b.wav")
    assert made.engine == "espeak-ng"
    assert 1.5 <= made.pcm.duration <= 8 and made.pcm.rms() > 500
    assert engine.worker_pid is None


def test_no_engine_at_all_raises_synthesis_error(tmp_path: Path) -> None:
    engine = SpeechEngine(VoiceSettings(), use_worker=False, use_cli=False)
    with pytest.raises(SynthesisError):
        engine.synthesize(SENTENCE, tmp_path / "c.wav")


def test_killed_worker_is_replaced(engine: SpeechEngine, tmp_path: Path) -> None:
    assert engine.wait_ready(20)
    first = engine.worker_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    psutil.Process(first).wait(5)
    # The request in hand is answered by the command line; a new worker is on its way.
    made = engine.synthesize(SENTENCE, tmp_path / "d.wav")
    assert made.engine == "espeak-ng" and made.pcm.duration > 1.5
    assert engine.wait_ready(20)
    assert engine.worker_pid not in (None, first)
    assert engine.synthesize(SENTENCE, tmp_path / "e.wav").engine == "pyttsx3"


def test_close_stops_the_worker(engine: SpeechEngine) -> None:
    assert engine.wait_ready(20)
    pid = engine.worker_pid
    assert pid is not None
    engine.close()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


SERVER = textwrap.dedent(
    """
    import socket, sys, time
    from display_server.voice.settings import VoiceSettings
    from display_server.voice.speech import SpeechEngine

    if __name__ == "__main__":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        engine = SpeechEngine(VoiceSettings())
        assert engine.wait_ready(20)
        print(listener.getsockname()[1], engine.worker_pid, flush=True)
        time.sleep(120)
    """
)


def test_worker_dies_with_its_server_and_never_holds_the_port(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as server:
        _kill_and_check(server)


def _kill_and_check(server: subprocess.Popen[str]) -> None:
    """SIGKILL the server, take its port at once, and see its worker leave."""
    try:
        assert server.stdout is not None
        port, worker_pid = map(int, server.stdout.readline().split())
        worker = psutil.Process(worker_pid)
        assert worker.ppid() == server.pid
        assert not worker.net_connections(kind="inet")  # the listening socket stayed behind
        server.send_signal(signal.SIGKILL)
        server.wait(5)
        # A server restarted at once gets its port back…
        with socket.socket() as again:
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))
            again.listen()
        # …and the orphaned worker leaves by itself.
        deadline = time.monotonic() + 5
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(5)


def _running(process: psutil.Process) -> bool:
    """Alive and not a zombie."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_the_worker_speaks_below_normal_priority(engine: SpeechEngine) -> None:
    """Synthesis must not take processor time from the counters' requests."""
    assert engine.wait_ready(20) and engine.worker_pid is not None
    assert psutil.Process(engine.worker_pid).nice() > psutil.Process().nice()


def test_where_espeak_is_is_looked_up_once_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new announcement asks; searching PATH each time cost the server ~0.4 ms."""
    from display_server.voice import espeak_cli

    searched: list[str] = []
    real_which = espeak_cli.shutil.which

    def which(name: str) -> str | None:
        searched.append(name)
        return real_which(name)

    monkeypatch.setattr(espeak_cli.shutil, "which", which)
    monkeypatch.setattr(espeak_cli, "_found", (-1e9, None))
    first = espeak_cli.espeak_command()
    assert first is not None and first.endswith("espeak-ng")
    assert [espeak_cli.espeak_command() for _ in range(5)] == [first] * 5
    assert searched == ["espeak-ng"]
    monkeypatch.setattr(espeak_cli, "LOOK_AGAIN_SECONDS", 0.0)
    espeak_cli.espeak_command()
    assert searched == ["espeak-ng", "espeak-ng"]
