"""`python -m counter_app`: open the counter window."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
