"""Event-stream fan-out: how fast a call reaches 100 and 1,000 connected displays.

Starts `luot serve` (SQLite, voice off), connects the displays to GET /api/v1/events from two
client processes (asyncio, raw sockets), then makes calls through the API one at a time and
records when each display receives its `ticket.called` event. Prints call → event p50/p99 (and
the slowest display per call) and the server's resident memory with every display connected.
Goals: p99 ≤ 50 ms at 100 displays, ≤ 150 ms at 1,000; ≤ 150 MB resident at 1,000.
Run: .venv/bin/python bench/bench_stream.py [--clients 100 1000] [--calls 30]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import resource
import selectors
import socket
import statistics
import sys
import time
from datetime import datetime
from multiprocessing.connection import Connection as Pipe
from typing import Any

import httpx
from common import ROOT, Connection, Server, percentile, table

sys.path.insert(0, str(ROOT))
from tests.factories import PASSWORD, make_site  # noqa: E402

# The event's "at" (when the server published it, after the commit) and the ticket's number.
CALLED = re.compile(
    rb'event: ticket\.called\ndata: \{[^{]*?"at":"([^"]+)".*?"number":"([A-Z]+\d+)"'
)
REQUEST = b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
CLIENT_PROCESSES = 2
GOALS = {100: 50.0, 1000: 150.0}


def raise_fd_limit() -> int:
    """Allow as many open files as the hard limit (inherited by the server we start)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- a client process: `count` displays ---------------------------------------------------------


def displays(port: int, count: int, pipe: Pipe) -> None:
    """`count` displays on raw non-blocking sockets and one selector (far lighter than asyncio
    streams, so the clients take less of the two cores from the server they measure)."""
    raise_fd_limit()
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytes] = {}
    opened: set[socket.socket] = set()
    received: dict[str, list[tuple[float, float]]] = {}
    for start in range(0, count, 100):  # in batches, as displays would come up
        for _ in range(min(100, count - start)):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(REQUEST)
            sock.setblocking(False)
            buffers[sock] = b""
            selector.register(sock, selectors.EVENT_READ)
        time.sleep(0.05)
    selector.register(pipe, selectors.EVENT_READ)
    ready = False
    while True:
        for key, _ in selector.select():
            if key.fileobj is pipe:
                pipe.recv()  # "report"
                pipe.send(received)
                for sock in buffers:
                    sock.close()
                return
            sock = key.fileobj  # type: ignore[assignment]
            data = sock.recv(262144)
            if not data:
                selector.unregister(sock)
                continue
            buffer = buffers[sock] + data
            if sock not in opened and b"event: snapshot" in buffer:
                opened.add(sock)
            if b"ticket.called" in buffer:
                at, wall = time.monotonic(), time.time()
                for published, number in CALLED.findall(buffer):
                    since = wall - datetime.fromisoformat(published.decode()).timestamp()
                    received.setdefault(number.decode(), []).append((at, since))
            cut = buffer.rfind(b"\n\n")
            buffers[sock] = buffer[cut + 2 :] if cut >= 0 else buffer
        if not ready and len(opened) == count:
            ready = True
            pipe.send("ready")


# --- the driver ---------------------------------------------------------------------------------


async def make_calls(port: int, calls: int, pause: float) -> tuple[dict[str, float], list[float]]:
    """Issue a ticket, then time the call: number → when it was sent, and each call's own time."""
    officer = Connection(port)
    await officer.open()
    status, body = await officer.request(
        "POST", "/api/v1/auth/login", {"username": "lan", "password": PASSWORD, "counter": 1}
    )
    assert status == 200, body
    auth = {"Authorization": f"Bearer {body['token']}"}
    sent: dict[str, float] = {}
    answered: list[float] = []
    for _ in range(calls):
        status, _ = await officer.request("POST", "/api/v1/tickets", {"service": "A"}, auth)
        assert status == 201
        await asyncio.sleep(pause)  # let the waiting-count update after the issue pass
        began = time.monotonic()
        status, ticket = await officer.request("POST", "/api/v1/counters/1/call-next", headers=auth)
        assert status == 200, ticket
        answered.append((time.monotonic() - began) * 1000)
        sent[ticket["number"]] = began
        await asyncio.sleep(pause)
        status, _ = await officer.request("POST", "/api/v1/counters/1/finish", headers=auth)
        assert status == 200
    await officer.close()
    return sent, answered


def run(clients: int, calls: int, pause: float) -> dict[str, Any]:
    site = make_site()
    site["voice"] = {"enabled": False}
    server = Server(site).start()
    processes: list[tuple[mp.Process, Pipe]] = []
    try:
        rss_idle = server.rss_mb()
        share = [
            clients // CLIENT_PROCESSES + (i < clients % CLIENT_PROCESSES)
            for i in range(CLIENT_PROCESSES)
        ]
        context = mp.get_context("spawn")
        for count in share:
            ours, theirs = context.Pipe()
            process = context.Process(target=displays, args=(server.port, count, theirs))
            process.start()
            processes.append((process, ours))
        for _, pipe in processes:
            assert pipe.recv() == "ready"
        stats = httpx.get(f"{server.url}/api/v1/events/stats", timeout=10).json()
        assert stats["subscribers"] == clients, stats
        rss_connected = server.rss_mb()
        sent, answered = asyncio.run(make_calls(server.port, calls, pause))
        time.sleep(1.0)
        rss_after = server.rss_mb()
        received: dict[str, list[tuple[float, float]]] = {}
        for _, pipe in processes:
            pipe.send("report")
            for number, times in pipe.recv().items():
                received.setdefault(number, []).extend(times)
        stats = httpx.get(f"{server.url}/api/v1/events/stats", timeout=10).json()
    finally:
        for process, _ in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
        server.stop()
    latencies, slowest, fan_out = [], [], []
    for number, began in sent.items():
        arrivals = received.get(number, [])
        assert len(arrivals) == clients, f"{number}: {len(arrivals)} of {clients} displays"
        delays = [(at - began) * 1000 for at, _ in arrivals]
        latencies += delays
        slowest.append(max(delays))
        fan_out += [since * 1000 for _, since in arrivals]
    return {
        "clients": clients,
        "calls": len(sent),
        "api_p50": statistics.median(answered),
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "fan_out_p50": statistics.median(fan_out),
        "fan_out_p99": percentile(fan_out, 99),
        "slowest_p50": statistics.median(slowest),
        "slowest_p99": percentile(slowest, 99),
        "rss_idle": rss_idle,
        "rss_connected": rss_connected,
        "rss_after": rss_after,
        "dropped": stats["dropped"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between requests")
    args = parser.parse_args()
    limit = raise_fd_limit()
    print(
        f"fd limit {limit}; {os.cpu_count()} cores; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    rows = []
    for clients in args.clients:
        result = run(clients, args.calls, args.pause)
        goal = GOALS.get(clients)
        rows.append(
            [
                str(clients),
                str(result["calls"]),
                f"{result['api_p50']:.1f}",
                f"{result['p50']:.1f}",
                f"{result['p99']:.1f}",
                f"{result['fan_out_p50']:.1f}",
                f"{result['fan_out_p99']:.1f}",
                f"{result['slowest_p50']:.1f}",
                f"{result['slowest_p99']:.1f}",
                f"{result['rss_idle']:.0f}",
                f"{result['rss_connected']:.0f}",
                f"{result['rss_after']:.0f}",
                str(result["dropped"]),
                f"p99 ≤ {goal:.0f} ms: {'yes' if result['p99'] <= goal else 'NO'}" if goal else "",
            ]
        )
        print(f"  {clients} displays done", flush=True)
    print()
    print(
        table(
            rows,
            [
                "displays",
                "calls",
                "call API p50",
                "p50 ms",
                "p99 ms",
                "publish→ p50",
                "publish→ p99",
                "last p50",
                "last p99",
                "RSS idle MB",
                "RSS connected MB",
                "RSS after MB",
                "dropped",
                "goal",
            ],
        )
    )
    print(
        "\ncall → event: from sending POST call-next to a display reading its ticket.called;"
        "\nlast: the slowest display of each call; call API: until the call-next answer itself;"
        "\npublish→: from the server publishing the event (after the commit) to a display."
        "\nRSS: the server process (psutil), before displays connect, with them, after the calls."
    )


if __name__ == "__main__":
    main()
