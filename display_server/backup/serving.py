"""A lock file per running `luot serve` beside its SQLite database, so a restore can refuse.

Each server holds an exclusive lock on `<database>.serving-<pid>` for as long as it runs; the
operating system drops the lock when the process ends, however it ends. A lock file that can
be locked again is left over from a server that has gone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO

SUFFIX = ".serving-"


def _try_lock(handle: IO[str]) -> bool:
    """Take an exclusive lock on the open file without waiting; False if someone holds it."""
    handle.seek(0)  # Windows locks bytes from the current position: everyone locks byte 0
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def hold_serving_lock(database: Path) -> IO[str] | None:
    """Mark `database` as served by this process until it exits; keep the returned handle."""
    path = database.with_name(f"{database.name}{SUFFIX}{os.getpid()}")
    handle = path.open("a+", encoding="ascii")
    if not _try_lock(handle):
        handle.close()
        return None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def processes_serving(database: Path) -> list[int]:
    """Process ids of the servers running on `database` now (left-over lock files go)."""
    running: list[int] = []
    for path in sorted(database.parent.glob(f"{database.name}{SUFFIX}*")):
        try:
            handle = path.open("a+", encoding="ascii")
        except OSError:
            continue
        with handle:
            locked_by_other = not _try_lock(handle)
        pid = path.name.rsplit("-", 1)[-1]
        if locked_by_other:
            running.append(int(pid) if pid.isdigit() else 0)
        else:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)  # its server has gone
    return running
