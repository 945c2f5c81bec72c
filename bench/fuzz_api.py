"""Fuzz the JSON API from its own OpenAPI document (schemathesis) against a real `luot serve`.

Two passes: one signed in as a supervisor (every counter action reachable; sign-out left out so
the token lives), one anonymous over every operation. Prints the counts schemathesis reported:
test cases, server errors and schema mismatches (any other failed check). The goal is 0 and 0.
Run: .venv/bin/python bench/fuzz_api.py [--max-examples 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from common import ROOT, Server, table

sys.path.insert(0, str(ROOT))
from tests.factories import PASSWORD, make_site  # noqa: E402

SERVER_ERROR_CHECKS = {"ST101", "ST102"}  # 5xx answers, with and without an odd Content-Type
FAILURE_LINE = re.compile(r"(ST\d{3}) ([^:]+): (\d+)")
CASES_LINE = re.compile(r"(\d+) generated")


def fuzz_site() -> dict[str, object]:
    """The tests' site, with room for a fuzzer's many anonymous tickets."""
    site = make_site()
    site["security"] = {"anonymous_tickets_per_minute": 1000, "anonymous_tickets_per_day": 100_000}
    return site


def run_pass(
    url: str, name: str, extra: list[str], args: argparse.Namespace, folder: Path
) -> dict[str, object]:
    """One `st run`; returns its counts and keeps its output in the server's folder."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [
        st,
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "2",
        "--warnings",
        "off",
        *extra,
    ]
    # schemathesis keeps a cache folder where it runs: the server's scratch folder, not the tree.
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, cwd=folder)
    output = done.stdout + done.stderr
    failures = {code: (label, int(n)) for code, label, n in FAILURE_LINE.findall(output)}
    cases = CASES_LINE.search(output)
    server_errors = sum(n for code, (_, n) in failures.items() if code in SERVER_ERROR_CHECKS)
    mismatches = sum(n for code, (_, n) in failures.items() if code not in SERVER_ERROR_CHECKS)
    return {
        "pass": name,
        "cases": int(cases.group(1)) if cases else 0,
        "server_errors": server_errors,
        "mismatches": mismatches,
        "failures": failures,
        "output": output,
        "exit": done.returncode,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    server = Server(fuzz_site()).start()
    try:
        answer = httpx.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "mai", "password": PASSWORD},
            timeout=10,
        )
        answer.raise_for_status()
        token = answer.json()["token"]
        passes = [
            run_pass(
                server.url,
                "supervisor",
                [
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--exclude-path",
                    "/api/v1/auth/logout",
                ],
                args,
                server.dir,
            ),
            run_pass(server.url, "anonymous", [], args, server.dir),
        ]
    finally:
        server.stop()
    rows = [
        [str(p["pass"]), str(p["cases"]), str(p["server_errors"]), str(p["mismatches"])]
        for p in passes
    ]
    print(table(rows, ["pass", "test cases", "server errors", "schema mismatches"]))
    for run in passes:
        for code, (label, count) in sorted(run["failures"].items()):  # type: ignore[attr-defined]
            print(f"  {run['pass']}: {code} {label}: {count}")
        log = server.dir / f"schemathesis-{run['pass']}.log"
        log.write_text(str(run["output"]), encoding="utf-8")
        print(f"  {run['pass']}: full output in {log}")
    return 0 if all(p["server_errors"] == 0 and p["mismatches"] == 0 for p in passes) else 1


if __name__ == "__main__":
    sys.exit(main())
