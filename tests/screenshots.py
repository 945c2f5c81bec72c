"""Where tests write screenshots: a build folder, or the README's own when asked to refresh them.

`LUOT_REFRESH_SCREENSHOTS=1 make test` rewrites docs/screenshots/; an ordinary run leaves the
tracked pictures alone and writes to build/screenshots/ for a look.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("LUOT_REFRESH_SCREENSHOTS") == "1"
    else ROOT / "build" / "screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
