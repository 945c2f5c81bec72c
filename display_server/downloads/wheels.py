"""The server's own wheel, for counter PCs: built once from the source tree it runs from.

From a checkout, `pip wheel` builds the wheel on a background thread (a copy of the sources,
so the checkout gets no build/ folder) into `<data dir>/wheels`, and keeps it while no source
file is newer. Installed from a wheel, there is no source to build from: the wheels an
administrator copied into that folder are offered instead.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGES = ("display_server", "printer", "counter_app")
SOURCE_FILES = ("pyproject.toml", "README.md")
BUILD_TIMEOUT = 600.0


def source_root() -> Path | None:
    """The checkout this server runs from, or None when it runs from an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or not all((root / name).is_dir() for name in PACKAGES):
        return None
    return root if 'name = "luot"' in pyproject.read_text(encoding="utf-8") else None


def _newest_source(root: Path) -> float:
    """The modification time of the newest file that goes into the wheel."""
    newest = max((root / name).stat().st_mtime for name in SOURCE_FILES)
    for package in PACKAGES:
        for path in (root / package).rglob("*"):
            if "__pycache__" not in path.parts and path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def version_key(text: str) -> tuple[int, ...]:
    """A release number (1.2.3) as a tuple that sorts; what follows the digits is ignored."""
    parts = []
    for piece in text.split("."):
        match = re.match(r"\d+", piece)
        if match is None:
            break
        parts.append(int(match[0]))
    return tuple(parts)


def _can_build_offline() -> bool:
    """Whether this environment has what pyproject.toml's build needs, without an index."""
    try:
        setuptools = version_key(metadata.version("setuptools"))
    except metadata.PackageNotFoundError:
        return False
    if setuptools < (68,):
        return False
    if setuptools >= (70, 1):
        return True  # bdist_wheel is part of setuptools from 70.1
    try:
        metadata.version("wheel")
    except metadata.PackageNotFoundError:
        return False
    return True


class WheelShelf:
    """The wheels offered at /download/, and the one build that may be running."""

    def __init__(self, folder: Path, version: str, root: Path | None) -> None:
        self.folder = folder
        self.version = version
        self.root = root
        self.error: str | None = None
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    @property
    def wheel_name(self) -> str:
        """The file name of this version's wheel."""
        return f"luot-{self.version}-py3-none-any.whl"

    def wheels(self) -> list[Path]:
        """The wheels on offer, newest version first."""
        found = [path for path in self.folder.glob("luot-*.whl") if path.is_file()]

        return sorted(found, key=lambda path: version_key(path.name.split("-")[1]), reverse=True)

    def is_current(self) -> bool:
        """Whether this version's wheel is there and no source file is newer."""
        wheel = self.folder / self.wheel_name
        if not wheel.is_file():
            return False
        return self.root is None or wheel.stat().st_mtime >= _newest_source(self.root)

    @property
    def building(self) -> bool:
        """Whether a build is running now."""
        return self._building is not None and self._building.is_alive()

    def ensure_built(self) -> None:
        """Start building in the background when the wheel is missing or stale; never waits."""
        if self.root is None:
            return
        with self._lock:
            if self.building or self.is_current():
                return
            self._building = threading.Thread(target=self.build, name="luot-wheel", daemon=True)
            self._building.start()

    def build(self) -> Path | None:
        """Build this version's wheel (blocking); None, with `error` set, if it failed."""
        if self.root is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="luot-wheel-") as scratch:
            source, out = Path(scratch) / "src", Path(scratch) / "out"
            source.mkdir()
            for name in SOURCE_FILES:
                shutil.copy2(self.root / name, source / name)
            for package in PACKAGES:
                shutil.copytree(
                    self.root / package,
                    source / package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                )
            command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out)]
            if _can_build_offline():
                command.append("--no-build-isolation")
            # Otherwise pip fetches setuptools from the package index for the build.
            try:
                done = subprocess.run(
                    [*command, str(source)],
                    capture_output=True,
                    text=True,
                    timeout=BUILD_TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                self._failed(f"pip wheel did not run: {exc}")
                return None
            built = sorted(out.glob("luot-*.whl"))
            if done.returncode != 0 or not built:
                detail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
                self._failed(f"pip wheel failed: {detail}")
                return None
            wheel = self.folder / built[0].name
            partial = self.folder / f".{built[0].name}.partial"
            shutil.copyfile(built[0], partial)
            partial.replace(wheel)  # a download never sees half a file
        for old in self.folder.glob("luot-*.whl"):
            if old != wheel:
                old.unlink(missing_ok=True)  # an older version's: counter PCs want this one
        self.error = None
        log.info("built %s for counter PCs (/download/)", wheel.name)
        return wheel

    def _failed(self, error: str) -> None:
        """Remember and log why the wheel could not be built."""
        self.error = error
        log.error("the counter PCs' wheel could not be built: %s", error)
