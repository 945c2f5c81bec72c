"""Counter-app fixtures: an Xvfb display for the session, windows against live servers."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from counter_app.config import ConfigStore, Settings
from counter_app.ui.app import CounterApp
from tests.servers import LiveServer


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """A private X display (Xvfb picks a free number and tells us through -displayfd)."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    number = b""
    with os.fdopen(read_end, "rb") as pipe:
        while not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                process.kill()
                pytest.fail("Xvfb did not start")
            number += chunk
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number.decode().strip()}"
    yield os.environ["DISPLAY"]
    if previous is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = previous
    process.terminate()
    process.wait(10)


OpenApp = Callable[..., CounterApp]
StartServer = Callable[..., LiveServer]


@pytest.fixture
def open_app(display: str, tmp_path: Path) -> Iterator[OpenApp]:
    """Open counter windows: open_app(server, counter=1, **settings); all closed afterwards."""
    apps: list[CounterApp] = []

    def opener(
        server: LiveServer | None = None,
        counter: int | None = 1,
        *,
        config: Path | None = None,
        **options: Any,
    ) -> CounterApp:
        window_options = {
            k: options.pop(k) for k in ("use_stream", "poll_interval") if k in options
        }
        settings = Settings(
            server=server.url if server else None, counter=counter if server else None, **options
        )
        store = ConfigStore(config or tmp_path / f"counter{len(apps)}.json")
        app = CounterApp(settings, store=store, **window_options)
        apps.append(app)
        return app

    yield opener
    for app in apps:
        app.close()
