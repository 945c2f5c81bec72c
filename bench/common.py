"""Shared pieces of the benchmarks: a real `luot serve`, a light HTTP client, and tables."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import LiveServer, write_site  # noqa: E402

# Benchmarks issue from a paired kiosk, as an office does: no per-address limit applies.
KIOSK_KEY = "bench-kiosk-key-0123456789abcdef"
KIOSK_HEADERS = {"X-Device-Key": KIOSK_KEY}


def with_kiosk(site: dict[str, Any], **kiosk: Any) -> dict[str, Any]:
    """`site` with one paired kiosk "sanh" (more keys, e.g. a printer, from `kiosk`)."""
    site["kiosks"] = [{"id": "sanh", "name": "Sảnh", "key": KIOSK_KEY, **kiosk}]
    return site


class Server(LiveServer):
    """`luot serve` in a subprocess on a fresh data directory (the tests' LiveServer)."""

    def __init__(self, site: dict[str, Any], database: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="luot-bench-"))
        super().__init__(self.dir, write_site(self.dir / "site.toml", site), database=database)

    def start(self, timeout: float = 30.0) -> Server:
        super().start(timeout)
        return self

    def rss_mb(self) -> float:
        assert self.process is not None
        return float(psutil.Process(self.process.pid).memory_info().rss / 2**20)


class Connection:
    """One keep-alive HTTP/1.1 connection with almost no client-side overhead."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        assert self.reader is not None and self.writer is not None
        if body is None and method != "GET":
            body = {}  # the API takes JSON writes only
        payload = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(payload)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), json.loads(data) if data else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(latencies_ms: Sequence[float], seconds: float) -> dict[str, float]:
    return {
        "rps": len(latencies_ms) / seconds if seconds else 0.0,
        "p50": statistics.median(latencies_ms),
        "p99": percentile(latencies_ms, 99),
        "n": len(latencies_ms),
    }


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
