"""Real servers for tests: `luot serve` in a subprocess, and the local PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_site(path: Path, site: dict[str, Any]) -> Path:
    """Write `site` as a TOML file (a small writer: tables, arrays of tables, scalars, lists)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines: list[str] = []
    for key, item in site.items():
        if isinstance(item, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {value(v)}" for k, v in item.items()]
        elif isinstance(item, list):
            for row in item:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {value(v)}" for k, v in row.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))
    return path


class LiveServer:
    """`luot serve` on a free port, started, killed and restarted by the test."""

    def __init__(
        self,
        data_dir: Path,
        site_file: Path,
        database: str | None = None,
        port: int | None = None,
        env: dict[str, str] | None = None,
        args: Sequence[str] = (),
        launcher: Sequence[str] = (),
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """`args` go after `luot serve`; `launcher` runs before it (`prlimit …`); `verify`
        checks an HTTPS server's certificate when waiting for it to answer."""
        self.data_dir = data_dir
        self.site_file = site_file
        self.database = database
        self.port = port or free_port()
        self.env = env or {}
        self.args = list(args)
        self.launcher = list(launcher)
        self.verify = verify
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        scheme = "https" if "--certfile" in self.args else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        """Start and wait until /api/v1/health answers."""
        command = [
            *self.launcher,
            sys.executable,
            "-m",
            "display_server",
            "serve",
            "--port",
            str(self.port),
            "--site",
            str(self.site_file),
            "--data-dir",
            str(self.data_dir),
        ]
        if self.database:
            command += ["--database", self.database]
        command += self.args
        env = {**os.environ, "LUOT_LOG": "WARNING", **self.env}
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text(errors='replace')}")
            try:
                answer = httpx.get(f"{self.url}/api/v1/health", timeout=1, verify=self.verify)
                if answer.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text(errors='replace')}")

    def children(self) -> list[psutil.Process]:
        """Processes the server started (speech worker, …)."""
        if self.process is None:
            return []
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        """SIGKILL, as a power cut or a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then make sure it and its children are gone."""
        if self.process is None:
            return
        kids = self.children()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for kid in kids:
            try:
                kid.kill()
            except psutil.NoSuchProcess:
                pass
        self.process = None


def postgres_admin_url() -> str:
    """Where the test PostgreSQL server is (make test starts it; root signs in over the socket)."""
    return os.environ.get(
        "LUOT_TEST_PG_URL", "postgresql+psycopg://root@/postgres?host=/var/run/postgresql"
    )


def create_pg_database() -> str:
    """A new empty database on the test server; returns its URL."""
    import psycopg

    admin = postgres_admin_url()
    name = f"luot_test_{uuid.uuid4().hex[:10]}"
    conninfo = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.replace("/postgres", f"/{name}", 1)


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`."""
    import psycopg

    name = url.split("/")[3].split("?")[0]
    conninfo = postgres_admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
