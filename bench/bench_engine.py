"""Processor time per request inside the server process: where the API's throughput goes.

Runs the Flask app in-process (no HTTP, no other features) on an SQLite file with thousands of
tickets waiting and prints the median CPU time of `repeat` rounds for: GET /api/v1/health,
POST /api/v1/tickets, and a counter action (call-next and finish, halved). The HTTP front adds
about 0.2 ms a request (bench_api.py measures the whole server).

Run: .venv/bin/python bench/bench_engine.py [--waiting 3000] [--requests 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import KIOSK_HEADERS, ROOT, table, with_kiosk

sys.path.insert(0, str(ROOT))
from display_server.app import create_app  # noqa: E402
from tests.factories import login, make_site, many_counters  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--waiting", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="luot-bench-engine-"))
    app = create_app(
        {
            "LUOT_DATA_DIR": folder,
            "LUOT_DATABASE_URL": f"sqlite:///{(folder / 'luot.db').as_posix()}",
            "LUOT_SITE": with_kiosk(many_counters(make_site(), 8, ["A", "B"])),
            "LUOT_FEATURES": [],
        }
    )
    client = app.test_client()
    for i in range(args.waiting):
        issued = client.post(
            "/api/v1/tickets", json={"service": "AB"[i % 2]}, headers=KIOSK_HEADERS
        )
        assert issued.status_code == 201
    headers = {n: login(client, f"cb{n}", n) for n in range(1, 9)}

    def health() -> None:
        assert client.get("/api/v1/health").status_code == 200

    def issue() -> None:
        issued = client.post("/api/v1/tickets", json={"service": "A"}, headers=KIOSK_HEADERS)
        assert issued.status_code == 201

    turn = iter(range(10**9))

    def counter_action() -> None:
        counter = next(turn) % 8 + 1
        for action in ("call-next", "finish"):
            response = client.post(
                f"/api/v1/counters/{counter}/{action}", json={}, headers=headers[counter]
            )
            assert response.status_code == 200, response.get_json()

    cases: list[tuple[str, Callable[[], None], int]] = [
        ("health", health, 1),
        ("issue a ticket", issue, 1),
        ("counter action (call-next, finish)", counter_action, 2),
    ]
    rows = []
    for name, run, per_call in cases:
        rounds = []
        for _ in range(args.repeat):
            began = time.process_time()
            for _ in range(args.requests):
                run()
            rounds.append((time.process_time() - began) / (args.requests * per_call) * 1000)
        rows.append([name, f"{statistics.median(rounds):.2f}", f"{min(rounds):.2f}"])
    print(
        f"CPU per request in the server process, SQLite, {args.waiting}+ waiting, "
        f"median of {args.repeat} rounds of {args.requests}"
    )
    print(table(rows, ["request", "median ms", "best ms"]))
    app.extensions["luot.db"].dispose()


if __name__ == "__main__":
    main()
