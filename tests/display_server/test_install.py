"""Installing the counter app the way a counter PC does: from the server, into a fresh venv."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import ROOT


def offered_wheel(url: str) -> str:
    """Poll /download/ until the server offers its freshly built wheel; its URL."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        page = httpx.get(f"{url}/download/", timeout=10).text
        if 'http-equiv="refresh"' not in page:
            found = re.search(r'href="(/download/luot-[^"]+\.whl)"', page)
            assert found, page
            return url + found[1]
        time.sleep(0.5)
    raise AssertionError("the server offered no wheel")


@pytest.mark.slow
def test_counter_app_installs_from_the_servers_download_page(live_server, tmp_path):
    server = live_server()
    wheel = offered_wheel(server.url)
    venv = tmp_path / "luot"
    # A counter PC has no checkout: nothing of this one may leak into the fresh venv.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", wheel],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert install.returncode == 0, install.stderr
    helped = subprocess.run(
        [str(venv / "bin" / "luot"), "counter", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert helped.returncode == 0, helped.stderr
    assert "--server SERVER" in helped.stdout
    shown = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import counter_app; print(counter_app.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert shown.stdout.startswith(str(venv))  # the installed copy, not this checkout


def marked_readme() -> Path:
    """README.md once the install section is placed in it; until then the lead's draft."""
    readme = ROOT / "README.md"
    if "<!-- check-install -->" in readme.read_text(encoding="utf-8"):
        return readme
    return ROOT / "README-ops.md"


@pytest.mark.slow
def test_the_readme_install_lines_run_as_written():
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "check-install"), str(marked_readme())],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ran, all ok" in done.stdout
