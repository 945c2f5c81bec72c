"""`luot serve` with voice: a SIGKILLed server's port is free at once; its worker leaves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.factories import PASSWORD, make_site
from tests.servers import ROOT, free_port, write_site

pytestmark = pytest.mark.slow


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class _Server:
    """`python -m display_server serve` on a given port, its output in a log file."""

    def __init__(self, folder: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable, "-m", "display_server", "serve", "--port", str(port),
            "--site", str(folder / "site.toml"), "--data-dir", str(folder),
        ]  # fmt: skip
        with (folder / f"server-{time.monotonic_ns()}.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=log, env={**os.environ, "LUOT_LOG": "WARNING"}
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "server exited"
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError("server did not start")

    def workers(self) -> list[psutil.Process]:
        kids = psutil.Process(self.process.pid).children(recursive=True)
        return [p for p in kids if "spawn_main" in " ".join(p.cmdline())]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def servers() -> Iterator[list[_Server]]:
    started: list[_Server] = []
    yield started
    for server in started:
        server.stop()


def _announce_one(url: str, username: str, counter: int) -> dict[str, Any]:
    """Issue and call a ticket over HTTP; return the announcement once its audio is ready."""
    with httpx.Client(base_url=url, timeout=10) as http:
        token = http.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD, "counter": counter},
        ).json()["token"]
        assert http.post("/api/v1/tickets", json={"service": "A"}).status_code == 201
        called = http.post(
            f"/api/v1/counters/{counter}/call-next",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert called.status_code == 200, called.text
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            items = http.get("/api/v1/announcements").json()["announcements"]
            if items and items[0]["status"] == "ready":
                audio = http.get(items[0]["audio_url"])
                assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
                return dict(items[0])
            time.sleep(0.05)
    raise AssertionError("no announcement")


def test_sigkilled_server_frees_its_port_at_once_and_its_worker_leaves(
    tmp_path: Path, servers: list[_Server]
) -> None:
    site = make_site()
    site["voice"] = {"play_on_server": False}
    write_site(tmp_path / "site.toml", site)
    port = free_port()
    servers.append(_Server(tmp_path, port))
    assert _announce_one(servers[0].url, "lan", 1)["ticket_number"] == "A001"
    workers = servers[0].workers()
    assert workers
    for worker in workers:
        assert not worker.net_connections(kind="inet")  # the listening socket stayed behind

    servers[0].process.send_signal(signal.SIGKILL)
    servers[0].process.wait(10)
    # At once, the port is free for the next server (uvicorn binds with SO_REUSEADDR too)…
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
    # …and the orphaned speech worker leaves by itself.
    deadline = time.monotonic() + 5
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers)
