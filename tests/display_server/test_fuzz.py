"""Schemathesis over the OpenAPI document against a real `luot serve`: no server errors, and the
server answers exactly as its document says (every check on; exceptions in schemathesis.toml)."""

from __future__ import annotations

import pytest

from tests.fuzzing import fuzz, fuzz_site

# Small and fixed, to stay within the suite's time: bench/fuzz_api.py runs the big one.
SEED = 20260101
EXAMPLES = 5


@pytest.mark.slow
def test_the_fuzzer_finds_no_server_error_and_no_mismatch(live_server, tmp_path):
    server = live_server(fuzz_site())
    # One worker (the default): a fixed seed then draws the same cases each run.
    runs = fuzz(server.url, max_examples=EXAMPLES, seed=SEED, timeout=300, workdir=tmp_path)
    assert [run.name for run in runs] == ["supervisor", "anonymous"]
    for run in runs:
        found = {code: n for code, (_, n) in run.failures.items()} | run.errors
        # The findings first, then schemathesis's own report of each (with a curl to replay).
        assert found == {}, f"{run.name}: {found}\n{run.output[-20000:]}"
        assert run.cases > 100 and run.exit_code == 0, run.output[-3000:]
