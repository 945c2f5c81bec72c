"""Fuzz the JSON API from its own OpenAPI document with schemathesis (`st run`) against a real
`luot serve`: the suite's test (tests/display_server/test_fuzz.py) and bench/fuzz_api.py.

Two passes: one signed in as a supervisor (every counter action reachable; sign-out left out so
the token lives), one anonymous. Every check runs; the few exceptions are in schemathesis.toml,
each with its reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.factories import PASSWORD, make_site

CONFIG = Path(__file__).with_name("schemathesis.toml")
SERVER_ERROR_CHECKS = {"ST101", "ST102"}  # 5xx answers, with and without an odd Content-Type
FAILURE_LINE = re.compile(r"(ST\d{3}) ([^:\n]+): (\d+)")
CASES_LINE = re.compile(r"(\d+) generated")
ERRORS_BLOCK = re.compile(r"\nErrors:\n((?:[ \t]+\S.*\n)+)")
ERROR_LINE = re.compile(r"^\s*\S+\s+([^:\n]+): (\d+)$", re.MULTILINE)


@dataclass
class FuzzPass:
    """What one `st run` reported."""

    name: str
    cases: int = 0
    failures: dict[str, tuple[str, int]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    output: str = ""
    exit_code: int = 0

    @property
    def server_errors(self) -> int:
        """Answers in the 5xx range."""
        return sum(n for code, (_, n) in self.failures.items() if code in SERVER_ERROR_CHECKS)

    @property
    def mismatches(self) -> int:
        """Every other failed check: the server and its document disagree."""
        return sum(n for code, (_, n) in self.failures.items() if code not in SERVER_ERROR_CHECKS)

    @property
    def run_errors(self) -> int:
        """Schemathesis's own errors (a case it could not build or send)."""
        return sum(self.errors.values())

    def row(self) -> list[str]:
        """The pass as a table row."""
        counts = (self.cases, self.server_errors, self.mismatches, self.run_errors)
        return [self.name, *map(str, counts)]


HEADERS = ["pass", "test cases", "server errors", "schema mismatches", "fuzzer errors"]


def fuzz_site() -> dict[str, Any]:
    """The tests' site: it already leaves room for a fuzzer's many anonymous tickets."""
    return make_site()


def parse(name: str, output: str, exit_code: int) -> FuzzPass:
    """The counts in the summary `st run` printed."""
    summary = output.rpartition("= SUMMARY =")[2]
    cases = CASES_LINE.search(summary)
    errors_block = ERRORS_BLOCK.search(summary)
    errors = errors_block.group(1) if errors_block else ""
    return FuzzPass(
        name,
        cases=int(cases.group(1)) if cases else 0,
        failures={code: (label, int(n)) for code, label, n in FAILURE_LINE.findall(summary)},
        errors={label: int(n) for label, n in ERROR_LINE.findall(errors)},
        output=output,
        exit_code=exit_code,
    )


def run_pass(
    url: str,
    name: str,
    extra: list[str],
    *,
    max_examples: int,
    seed: int,
    workers: int = 1,
    timeout: float = 1200,
    workdir: Path,
) -> FuzzPass:
    """One `st run` over the whole document, every check on; in `workdir`, where schemathesis
    keeps its files (no run sees what an earlier one found)."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [
        st,
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--warnings",
        "off",
        *extra,
    ]
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=timeout, check=False
    )
    return parse(name, done.stdout + done.stderr, done.returncode)


def fuzz(url: str, **options: Any) -> list[FuzzPass]:
    """Both passes against the server at `url` (the tests' site: supervisor "mai")."""
    answer = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "mai", "password": PASSWORD}, timeout=10
    )
    answer.raise_for_status()
    token = answer.json()["token"]
    supervisor = ["--header", f"Authorization: Bearer {token}"]
    # Signing out would end the token the rest of the pass uses.
    supervisor += ["--exclude-path", "/api/v1/auth/logout"]
    return [
        run_pass(url, "supervisor", supervisor, **options),
        run_pass(url, "anonymous", [], **options),
    ]
