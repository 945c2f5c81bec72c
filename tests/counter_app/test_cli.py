"""`luot counter`, `python -m counter_app`, and the rule that the app never imports the server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from display_server.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_luot_has_the_counter_subcommand() -> None:
    args = build_parser().parse_args(["counter", "--server", "10.0.0.5:8080", "--counter", "3"])
    assert args.func.__module__ == "counter_app.cli"
    assert (args.server, args.counter) == ("10.0.0.5:8080", "3")


def test_counter_app_never_imports_display_server() -> None:
    code = (
        "import sys, counter_app.cli, counter_app.ui.app, counter_app.worker;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'display_server');"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_m_counter_app_help_and_bad_options() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "counter_app", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0 and "--server" in shown.stdout and "--compact" in shown.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "counter_app", "--counter", "0", "--config", "/nonexistent/c.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "Số quầy phải là số nguyên" in refused.stderr
    assert "Traceback" not in refused.stderr
