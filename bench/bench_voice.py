"""Voice benchmark: call event → announcement audio ready, and the speech worker's memory.

    .venv/bin/python bench/bench_voice.py [--calls 200]

Measures on a plain EventBus with the real announcer (pyttsx3 worker + espeak-ng, no playback):
new texts (synthesis), cached texts, a burst of 20 calls at once, and the espeak-ng fallback.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from display_server.events import Event, EventBus
    from display_server.voice.announcer import Announcer

# The speech worker is started with "spawn", which imports this file again in the worker as
# "__mp_main__": importing the server here would count its modules in the worker's memory.


class Probe:
    """Publishes calls and times each until its "announcement.ready"."""

    def __init__(self, announcer: Announcer, bus: EventBus) -> None:
        self.announcer, self.bus = announcer, bus
        self.sent: dict[str, float] = {}
        self.took: dict[str, float] = {}
        self.engines: dict[str, str] = {}
        self.done = threading.Condition()
        bus.subscribe(self._ready)

    def _ready(self, event: Event) -> None:
        if event.kind == "announcement.ready":
            number = event.data["ticket_number"]
            with self.done:
                self.took[number] = time.perf_counter() - self.sent[number]
                self.engines[number] = event.data["engine"]
                self.done.notify_all()

    def call(self, number: str, counter: int) -> None:
        ticket = {"id": 1, "number": number, "counter": counter, "service": number[0]}
        self.sent[number] = time.perf_counter()
        self.bus.publish("ticket.called", 1, {"ticket": ticket, "counter": {"number": counter}})

    def wait(self, numbers: list[str], timeout: float = 60.0) -> list[float]:
        with self.done:
            self.done.wait_for(lambda: all(n in self.took for n in numbers), timeout)
        return [self.took.pop(n) * 1000 for n in numbers]

    def run(self, numbers: list[str], *, burst: bool = False) -> list[float]:
        if burst:
            for index, number in enumerate(numbers):
                self.call(number, index % 9 + 1)
            return self.wait(numbers)
        timings = []
        for index, number in enumerate(numbers):
            self.call(number, index % 9 + 1)
            timings += self.wait([number])
        return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(name: str, values: list[float], goal: str) -> str:
    return (
        f"{name:<34} {len(values):>5} {statistics.median(values):>8.1f} "
        f"{percentile(values, 0.99):>8.1f} {max(values):>8.1f}   {goal}"
    )


def main() -> None:
    from display_server.events import EventBus
    from display_server.voice.announcer import Announcer
    from display_server.voice.settings import VoiceSettings
    from display_server.voice.speech import SpeechEngine

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    settings = replace(VoiceSettings(), play_on_server=False)
    rows = []
    with tempfile.TemporaryDirectory(prefix="luot-bench-voice-") as directory:
        bus = EventBus()
        engine = SpeechEngine(settings)
        started = time.perf_counter()
        assert engine.wait_ready(30), "the pyttsx3 worker did not start"
        worker_start_ms = (time.perf_counter() - started) * 1000
        announcer = Announcer(bus, settings, Path(directory) / "cache", engine=engine)
        probe = Probe(announcer, bus)
        probe.run([f"W{n:03d}" for n in range(5)])  # warm-up
        numbers = [f"A{n:03d}" for n in range(1, args.calls + 1)]
        new = probe.run(numbers)
        engines = {probe.engines[n] for n in numbers}
        cached = probe.run(numbers)
        burst = probe.run([f"B{n:03d}" for n in range(1, 21)], burst=True)
        worker = psutil.Process(engine.worker_pid)
        rss, uss = worker.memory_info().rss, worker.memory_full_info().uss
        server_rss = psutil.Process().memory_info().rss
        announcer.shutdown()

        bus = EventBus()
        fallback_engine = SpeechEngine(settings, use_worker=False)
        fallback = Announcer(bus, settings, Path(directory) / "cli", engine=fallback_engine)
        probe = Probe(fallback, bus)
        probe.run([f"W{n:03d}" for n in range(3)])
        cli = probe.run([f"C{n:03d}" for n in range(1, min(args.calls, 100) + 1)])
        fallback.shutdown()

    rows.append(row(f"new text ({'/'.join(sorted(engines))})", new, "p99 ≤ 200 ms"))
    rows.append(row("cached text", cached, "p99 ≤ 5 ms"))
    rows.append(row("burst of 20 calls (incl. queueing)", burst, ""))
    rows.append(row("new text, espeak-ng fallback", cli, ""))
    print(f"{'call → audio ready (ms)':<34} {'n':>5} {'p50':>8} {'p99':>8} {'max':>8}")
    print("\n".join(rows))
    print(f"speech worker start-up (spawn → ready): {worker_start_ms:.0f} ms")
    print(f"speech worker memory: RSS {rss / 2**20:.1f} MiB, USS {uss / 2**20:.1f} MiB")
    print(f"benchmark process RSS: {server_rss / 2**20:.1f} MiB")
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"machine: {cores} cores, load average {load:.1f} (figures grow with the load)")


if __name__ == "__main__":
    main()
