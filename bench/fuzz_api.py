"""Fuzz the JSON API from its own OpenAPI document (schemathesis) against a real `luot serve`.

Two passes: one signed in as a supervisor (every counter action reachable; sign-out left out so
the token lives), one anonymous over every operation. Prints the counts schemathesis reported:
test cases, server errors, schema mismatches (any other failed check) and its own errors. The
goal is 0 everywhere. The runner and the few justified exceptions: tests/fuzzing.py and
tests/schemathesis.toml (the suite runs the same thing, smaller: tests/display_server/test_fuzz.py).
Run: .venv/bin/python bench/fuzz_api.py [--max-examples 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys

from common import ROOT, Server, table

sys.path.insert(0, str(ROOT))
from tests.fuzzing import HEADERS, fuzz, fuzz_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    # One worker by default: with two, hypothesis parses source in two threads at once and
    # CPython 3.11 sometimes trips over it ("AST constructor recursion depth mismatch"), a
    # fuzzer error that says nothing about the server.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    server = Server(fuzz_site()).start()
    try:
        passes = fuzz(
            server.url,
            max_examples=args.max_examples,
            seed=args.seed,
            workers=args.workers,
            timeout=args.timeout,
            workdir=server.dir,
        )
    finally:
        server.stop()
    print(f"seed {args.seed}, at most {args.max_examples} examples per operation and phase")
    print(table([run.row() for run in passes], HEADERS))
    for run in passes:
        for code, (label, count) in sorted(run.failures.items()):
            print(f"  {run.name}: {code} {label}: {count}")
        for label, count in sorted(run.errors.items()):
            print(f"  {run.name}: fuzzer error {label}: {count}")
        log = server.dir / f"schemathesis-{run.name}.log"
        log.write_text(run.output, encoding="utf-8")
        print(f"  {run.name}: full output in {log}")
    clean = all(run.server_errors == run.mismatches == run.run_errors == 0 for run in passes)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
