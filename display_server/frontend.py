"""The HTTP front end's options of `luot serve`: limits and HTTPS, declared here once.

display_server.connection_limits enforces them (uvicorn has no setting for most of them).
"""

from __future__ import annotations

import argparse
import logging
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# Open files for everything but client connections: the listening socket, the databases
# (two files per SQLite connection, a socket per PostgreSQL one), logs, speech, printers.
INTERNAL_FILES = 160
# Refused connections are answered, then linger a moment (display_server.connection_limits);
# at most this many at once, the rest are dropped without an answer.
MAX_LINGERING = 64
# The listen backlog, which asyncio also uses as the number of connections it accepts in one
# go before any of them reaches the protocol that refuses those over the cap.
MAX_BACKLOG = 4096


class FrontEndError(Exception):
    """The front end cannot start as asked (a bad certificate, half of a key pair)."""


@dataclass(frozen=True)
class FrontEnd:
    """How `luot serve` meets clients; the defaults are the command line's."""

    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    keep_alive_timeout: int = 30
    max_connections: int = 2048
    certfile: Path | None = None
    keyfile: Path | None = None

    @property
    def scheme(self) -> str:
        """`https` when serving with a certificate."""
        return "https" if self.certfile else "http"


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """The front end's options of `luot serve`."""
    default = FrontEnd()
    parser.add_argument(
        "--max-header-bytes",
        type=int,
        default=default.max_header_bytes,
        help="largest request line and headers accepted; larger gets 431 (default: %(default)s)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=default.header_timeout,
        help="seconds a connection has to send a request's headers, "
        "including a new connection's first request (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=int,
        default=default.keep_alive_timeout,
        help="seconds an idle connection stays open between requests (default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=default.max_connections,
        help="open connections at most (event streams included); more get 503; lowered to fit "
        "the open-file limit (default: %(default)s)",
    )
    parser.add_argument("--certfile", type=Path, help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--keyfile", type=Path, help="the certificate's private key (PEM)")


def front_end_from_args(args: argparse.Namespace) -> FrontEnd:
    """The front end the command line asks for, its certificate checked."""
    if (args.certfile is None) != (args.keyfile is None):
        raise FrontEndError("HTTPS needs both --certfile and --keyfile")
    for name, value in (
        ("--max-header-bytes", args.max_header_bytes),
        ("--header-timeout", args.header_timeout),
        ("--keep-alive-timeout", args.keep_alive_timeout),
        ("--max-connections", args.max_connections),
    ):
        if value <= 0:
            raise FrontEndError(f"{name} must be positive")
    if args.certfile is not None:
        check_certificate(args.certfile, args.keyfile)
    return FrontEnd(
        max_header_bytes=args.max_header_bytes,
        header_timeout=args.header_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=args.max_connections,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )


def check_certificate(certfile: Path, keyfile: Path) -> None:
    """Load the pair as the server will, so a bad file is a message now, not a crash later."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

    def no_password() -> str:
        # Without a callback OpenSSL would prompt on the terminal for an encrypted key.
        raise FrontEndError(f"{keyfile}: the key is encrypted; give an unencrypted key file")

    try:
        context.load_cert_chain(certfile, keyfile, password=no_password)
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            why = "the key does not belong to the certificate"
        else:
            why = f"not a PEM certificate and its private key ({error.reason or error})"
        raise FrontEndError(
            f"cannot use certificate {certfile} with key {keyfile}: {why}"
        ) from error
    except OSError as error:
        why = error.strerror or str(error)
        raise FrontEndError(
            f"cannot use certificate {certfile} with key {keyfile}: {why}"
        ) from error


def raise_file_limit() -> int | None:
    """Raise the soft limit on open files to the hard one; the limit now (None: unknown)."""
    if sys.platform == "win32":
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        return None if soft == resource.RLIM_INFINITY else soft
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %d to %d", soft, hard)
    return soft


def connection_budget(wanted: int, file_limit: int | None) -> tuple[int, int]:
    """The connection cap and listen backlog that fit in the open-file limit.

    Everything must fit at once, or accept() fails with EMFILE and asyncio logs it for each
    pending connection: the capped connections, a whole backlog accepted in one go, the
    refusals lingering, and the server's own files.
    """
    if file_limit is None:
        return wanted, MAX_BACKLOG
    spare = file_limit - INTERNAL_FILES - MAX_LINGERING
    backlog = max(16, min(MAX_BACKLOG, spare // 4))
    cap = min(wanted, spare - backlog)
    if cap < 1:
        raise FrontEndError(
            f"the open-file limit ({file_limit}) is too low to serve; raise it with ulimit -n "
            "(or LimitNOFILE= in a systemd unit)"
        )
    if cap < wanted:
        log.warning(
            "serving at most %d connections, not %d: the open-file limit is %d (raise it "
            "with ulimit -n or LimitNOFILE=)",
            cap,
            wanted,
            file_limit,
        )
    return cap, backlog
