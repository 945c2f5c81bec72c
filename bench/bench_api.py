"""Core API throughput and latency on one running server (SQLite, durable commits).

Measures GET /api/v1/health (the framework's ceiling), POST /api/v1/tickets and call-next
(each counter calls and finishes in turn) at 1 and 8 concurrent clients, with thousands of
tickets already waiting, and prints requests/s, p50/p99 and the ratio to health.
Run: .venv/bin/python bench/bench_api.py [--seconds 5] [--waiting 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from common import KIOSK_HEADERS as KIOSK
from common import ROOT, Connection, Server, summary, table, with_kiosk

sys.path.insert(0, str(ROOT))
from tests.factories import PASSWORD, make_site, many_counters  # noqa: E402


async def closed_loop(
    port: int, clients: int, seconds: float, make_request
) -> tuple[list[float], float]:
    """`clients` connections issuing requests back to back for `seconds`."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(slot: int) -> None:
        connection = Connection(port)
        await connection.open()
        state: dict[str, object] = {}
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            ok = await make_request(connection, slot, state)
            if ok:
                latencies.append((time.perf_counter() - began) * 1000)
        await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, time.perf_counter() - started


async def health(connection: Connection, _slot: int, _state: dict) -> bool:
    status, _ = await connection.request("GET", "/api/v1/health")
    return status == 200


async def issue(connection: Connection, slot: int, _state: dict) -> bool:
    status, _ = await connection.request(
        "POST", "/api/v1/tickets", {"service": "AB"[slot % 2]}, KIOSK
    )
    assert status == 201, status
    return True


async def fill(port: int, count: int) -> None:
    connections = [Connection(port) for _ in range(4)]
    for connection in connections:
        await connection.open()

    async def run(connection: Connection, n: int) -> None:
        for i in range(n):
            status, _ = await connection.request(
                "POST", "/api/v1/tickets", {"service": "AB"[i % 2]}, KIOSK
            )
            assert status == 201

    await asyncio.gather(*(run(c, count // 4) for c in connections))
    for connection in connections:
        await connection.close()


def call_next_for(tokens: dict[int, str]):
    async def call_next(connection: Connection, slot: int, state: dict) -> bool:
        counter = slot + 1
        headers = {"Authorization": f"Bearer {tokens[counter]}"}
        began = time.perf_counter()
        status, body = await connection.request(
            "POST", f"/api/v1/counters/{counter}/call-next", None, headers
        )
        assert status == 200, (status, body)
        state["last"] = time.perf_counter() - began
        status, _ = await connection.request(
            "POST", f"/api/v1/counters/{counter}/finish", None, headers
        )
        assert status == 200
        return True

    return call_next


def timed_call_next(wrapped, per_call: list[float]):
    """Record the call-next request's own time (the finish that follows is not counted)."""

    async def timed(connection: Connection, slot: int, state: dict) -> bool:
        await wrapped(connection, slot, state)
        per_call.append(float(state["last"]) * 1000)
        return False

    return timed


async def measure(args: argparse.Namespace) -> dict:
    site = with_kiosk(many_counters(make_site(), 8, ["A", "B"]))
    server = Server(site).start()
    results: dict[str, dict] = {}
    try:
        await fill(server.port, args.waiting)
        tokens = {}
        for counter in range(1, 9):
            connection = Connection(server.port)
            await connection.open()
            status, body = await connection.request(
                "POST",
                "/api/v1/auth/login",
                {"username": f"cb{counter}", "password": PASSWORD, "counter": counter},
            )
            assert status == 200, body
            tokens[counter] = body["token"]
            await connection.close()
        for clients in (1, 8):
            for name, request in (("health", health), ("issue ticket", issue)):
                latencies, seconds = await closed_loop(server.port, clients, args.seconds, request)
                results[f"{name} @{clients}"] = summary(latencies, seconds)
        # call-next: each client is a counter that calls next and then finishes. The time
        # reported is the call-next request alone; the rate counts call-next requests.
        for clients in (1, 8):
            per_call: list[float] = []
            timed = timed_call_next(call_next_for(tokens), per_call)

            _, seconds = await closed_loop(server.port, clients, args.seconds, timed)
            results[f"call-next @{clients}"] = summary(per_call, seconds)
        results["server RSS MB"] = {"rss": server.rss_mb()}
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--waiting", type=int, default=4000)
    args = parser.parse_args()
    results = asyncio.run(measure(args))
    rows = []
    for clients in (1, 8):
        base = results[f"health @{clients}"]["rps"]
        for name in ("health", "issue ticket", "call-next"):
            r = results[f"{name} @{clients}"]
            rows.append(
                [
                    name,
                    clients,
                    f"{r['rps']:.0f}",
                    f"{r['p50']:.1f}",
                    f"{r['p99']:.1f}",
                    f"{r['rps'] / base:.2f}",
                ]
            )
    print(
        f"Lượt core API, SQLite (WAL, synchronous=FULL), {args.waiting}+ tickets waiting, "
        f"{args.seconds:.0f} s per row"
    )
    print(table(rows, ["endpoint", "clients", "req/s", "p50 ms", "p99 ms", "vs health"]))
    print(f"server resident memory: {results['server RSS MB']['rss']:.0f} MB")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "api.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
