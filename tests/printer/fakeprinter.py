"""A fake network receipt printer: a TCP server on 127.0.0.1 that records jobs and answers DLE EOT.

    with FakePrinter() as fake:                      # a random free port
        spool = PrintSpool(f"network://127.0.0.1:{fake.port}")
        ...
        fake.wait_for_tickets(1)

`mode` is one of "online", "paper_low", "paper_out", "cover_open" (answers accordingly),
"silent" (accepts connections, never reads, never answers) or "http" (a web server on the
printer's port: answers anything with an HTTP error and hangs up). `drop_after` closes each of
the next `drops` connections once that many job bytes have arrived (a printer dying mid-job);
`hang_ups` closes the next that many connections after a whole ticket, at the status query that
would confirm it (the ticket printed, the spool cannot know). A ticket is counted when a cut
command arrives; it holds the bytes from the last ESC @.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

from tests.printer.escpos_reader import IncompleteCommand, command_length

# Answers to DLE EOT 1, 2 and 4: the fixed bits 0x12 plus the state's bits.
STATUS_BYTES = {
    "online": {1: 0x12, 2: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
}


HTTP_ERROR = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class FakePrinter:
    """See the module docstring; thread-safe counters, `stop()` closes everything."""

    def __init__(
        self,
        port: int = 0,
        mode: str = "online",
        drop_after: int | None = None,
        drops: int = 1,
        hang_ups: int = 0,
    ) -> None:
        self.mode = mode
        self.drop_after = drop_after
        self.drops = drops
        self.hang_ups = hang_ups
        self.tickets: list[bytes] = []
        self.ticket_times: list[float] = []  # time.monotonic() when each ticket's cut arrived
        self.connections = 0
        self.status_queries = 0
        self.last_byte_at: float | None = None
        self._lock = threading.Condition()
        self._server = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self._clients: list[socket.socket] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FakePrinter:
        self._thread.start()
        return self

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, close every connection, free the port."""
        self._stopping = True
        if self._thread.is_alive():
            self._thread.join(5)
        self._server.close()
        with self._lock:
            for client in self._clients:
                client.close()

    def wait_for_tickets(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Block until `count` tickets arrived (or the timeout); return all tickets."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.tickets) < count and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self.tickets)

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> int:
        """Block until `count` connections were accepted (or the timeout); return how many."""
        with self._lock:
            self._lock.wait_for(lambda: self.connections >= count, timeout)
            return self.connections

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._clients.append(client)
                self._lock.notify_all()
            if self.mode != "silent":
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _take_hang_up(self) -> bool:
        """Whether this confirmation is one of the `hang_ups` still to fake."""
        with self._lock:
            if self.hang_ups <= 0:
                return False
            self.hang_ups -= 1
            return True

    def _serve(self, client: socket.socket) -> None:
        """Read commands, answer status queries, cut the stream into tickets."""
        with self._lock:
            drop = self.drop_after is not None and self.drops > 0
            self.drops -= drop
        buffer, job = bytearray(), bytearray()
        job_bytes = 0
        printed_here = False
        client.settimeout(0.2)
        while not self._stopping:
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            if self.mode == "http":
                client.sendall(HTTP_ERROR)
                break
            self.last_byte_at = time.monotonic()
            buffer += chunk
            at = 0
            while at < len(buffer):
                try:
                    length = command_length(buffer, at)
                except IncompleteCommand:
                    break
                command = bytes(buffer[at : at + length])
                at += length
                if command[0] == 0x10:
                    if printed_here and self._take_hang_up():
                        client.close()  # the ticket printed; its confirmation never comes
                        return
                    self.status_queries += 1
                    client.sendall(bytes((STATUS_BYTES[self.mode][command[2]],)))
                    continue
                job_bytes += length
                if drop and self.drop_after is not None and job_bytes >= self.drop_after:
                    client.close()  # the printer dies mid-job: this ticket never prints
                    return
                if command == b"\x1b@":
                    job.clear()
                job += command
                if command[:2] == b"\x1dV":
                    with self._lock:
                        self.tickets.append(bytes(job))
                        self.ticket_times.append(time.monotonic())
                        self._lock.notify_all()
                    job.clear()
                    printed_here = True
            del buffer[:at]
        client.close()
