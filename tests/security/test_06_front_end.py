"""Hole 6: a real `luot serve` limits its HTTP front end, reads chunked bodies, speaks HTTPS."""

from __future__ import annotations

import json
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from display_server.cli import main
from tests.factories import make_site
from tests.servers import LiveServer, write_site

MB = 1024 * 1024
# Liveness bound for "the server closes it": many times the timeouts the tests set, so a
# slow machine never fails it, while a server that never closes does.
CLOSE_WITHIN = 20.0


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start `luot serve` with extra command-line arguments (and an optional launcher)."""
    servers: list[LiveServer] = []

    def start(*args: str, **options: object) -> LiveServer:
        folder = tmp_path / f"server{len(servers)}"
        folder.mkdir()
        site = write_site(folder / "site.toml", make_site())
        server = LiveServer(folder, site, args=args, **options)  # type: ignore[arg-type]
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def raw_request(port: int, head: bytes) -> socket.socket:
    """A connection that has sent `head` (maybe not a whole request)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_WITHIN)
    sock.sendall(head)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset counts as closed)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def read_response(sock: socket.socket) -> bytes:
    """One whole response (head and Content-Length body), however the bytes arrive."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "closed before the response's head"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed before the response's body"
        rest += chunk
    return head + b"\r\n\r\n" + rest


def rss(server: LiveServer) -> int:
    """Resident memory of the server process, in bytes."""
    assert server.process is not None
    return int(psutil.Process(server.process.pid).memory_info().rss)


def test_ten_connections_sending_64_mb_header_lines_are_cut_off_early(serve):
    server = serve()
    before = rss(server)
    peak = before
    done = threading.Event()
    answers: list[bytes] = []

    def watch_memory() -> None:
        nonlocal peak
        while not done.wait(0.02):  # sampling, not ordering: the peak is what matters
            peak = max(peak, rss(server))

    def attack() -> None:
        sock = raw_request(server.port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        try:
            while sent < 64 * MB:
                sock.sendall(b"a" * MB)
                sent += MB
            sock.sendall(b"\r\n\r\n")
            answer = read_until_closed(sock)
        except (BrokenPipeError, ConnectionResetError):
            answer = b""  # cut off early
        except TimeoutError:
            answer = b"(neither answered nor closed)"
        finally:
            sock.close()
        answers.append(answer)

    watcher = threading.Thread(target=watch_memory)
    watcher.start()
    attackers = [threading.Thread(target=attack) for _ in range(10)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join()
    done.set()
    watcher.join()

    # Each connection may hold at most its 32 KiB header budget and one 256 KiB read buffer
    # (under 3 MB for ten); 48 MB leaves room for allocator noise and normal growth, while
    # holding even one 64 MB header line would exceed it (the old server grew by 578 MB).
    assert peak - before < 48 * MB, (before, peak)
    assert len(answers) == 10
    for answer in answers:
        # Refused with 431 (read or lost to the close), never served.
        assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        if answer:
            assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "headers_too_large"
    assert httpx.get(f"{server.url}/api/v1/health").status_code == 200


def test_slow_and_silent_connections_are_closed_after_the_header_timeout(serve):
    server = serve("--header-timeout", "1", "--keep-alive-timeout", "1")
    silent = socket.create_connection(("127.0.0.1", server.port))
    trickling = raw_request(server.port, b"GET /api/v1/health HTTP/1.1\r\n")
    kept_alive = raw_request(server.port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    answered = read_response(kept_alive)
    assert answered.startswith(b"HTTP/1.1 200 ")

    # The slowloris: a header byte whenever the socket has been quiet for a moment, which
    # would keep an idle timeout from ever firing. Wait on the socket, not on a clock.
    began = time.monotonic()
    closed = False
    while time.monotonic() - began < CLOSE_WITHIN:
        readable, _, _ = select.select([trickling], [], [], 0.2)
        if readable:
            closed = read_until_closed(trickling) == b""
            break
        try:
            trickling.sendall(b"X")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
    assert closed, "a connection trickling its headers was never closed"

    try:
        for sock in (silent, kept_alive):  # never sent a request / idle after one
            sock.settimeout(CLOSE_WITHIN)
            assert read_until_closed(sock) == b""
    finally:
        for sock in (silent, trickling, kept_alive):
            sock.close()


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux prlimit")
def test_more_idle_connections_than_files_get_a_clear_refusal_and_a_quiet_log(serve):
    # 400 open files at most: the cap drops to 132 connections; 400 idle ones try to get in.
    server = serve("--header-timeout", "60", launcher=["prlimit", "--nofile=400:400", "--"])
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(400)]
    try:
        # Refused connections linger a moment; then every newcomer gets a clear 503.
        answer = None
        began = time.monotonic()
        while time.monotonic() - began < CLOSE_WITHIN:
            try:
                answer = httpx.get(f"{server.url}/api/v1/health", timeout=5)
                break
            except httpx.TransportError:
                continue  # reset while 64 refusals were already lingering
        assert answer is not None, "health never answered"
        if answer.status_code != 200:
            assert answer.status_code == 503
            assert answer.json()["error"] == "busy"
            assert answer.headers["retry-after"]
    finally:
        for sock in idle:
            sock.close()
    began = time.monotonic()
    while time.monotonic() - began < CLOSE_WITHIN:
        if httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200:
            break
    else:
        pytest.fail("health did not come back once the idle connections left")
    log = server.log_path.read_text(errors="replace")
    assert "Too many open files" not in log and "out of system resource" not in log
    assert len(log.encode()) < 8192, log[-2000:]


def test_a_chunked_body_issues_a_ticket(serve):
    server = serve()
    answer = httpx.post(
        f"{server.url}/api/v1/tickets",
        content=iter([b'{"serv', b'ice": "A"}']),  # no length: httpx sends it chunked
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == "A001"


def test_a_chunked_body_over_the_cap_gets_413_json(serve):
    server = serve()
    answer = httpx.post(
        f"{server.url}/api/v1/tickets",
        content=iter([b"x" * 40_000] * 3),  # 120 KB, over the 64 KiB cap
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + ["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_with_a_certificate(serve, certificate):
    cert, key = certificate
    trust = ssl.create_default_context(cafile=str(cert))
    server = serve("--certfile", str(cert), "--keyfile", str(key), verify=trust)
    assert server.url.startswith("https://")
    answer = httpx.get(f"{server.url}/api/v1/health", verify=trust)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    with pytest.raises(httpx.HTTPError):  # and no plain HTTP on that port
        httpx.get(f"http://127.0.0.1:{server.port}/api/v1/health", timeout=5)


def test_a_bad_certificate_or_half_a_pair_is_a_clear_error(certificate, tmp_path, capsys):
    cert, key = certificate

    def serve_with(*args: str) -> int:
        return main(["serve", *args])

    assert serve_with("--certfile", str(cert)) == 2
    assert "both --certfile and --keyfile" in capsys.readouterr().err
    assert serve_with("--certfile", str(tmp_path / "none.pem"), "--keyfile", str(key)) == 2
    assert "cannot use certificate" in capsys.readouterr().err
    assert serve_with("--certfile", str(key), "--keyfile", str(key)) == 2  # a key, not a cert
    assert "cannot use certificate" in capsys.readouterr().err


def test_the_front_end_leaves_forwarded_addresses_to_the_trusted_proxies_setting(live_server):
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; Lượt's own rule must decide."""
    site = make_site()
    site["security"] = {"anonymous_tickets_per_minute": 2}
    server = live_server(site)
    statuses = [
        httpx.post(
            f"{server.url}/api/v1/tickets",
            json={"service": "A"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
