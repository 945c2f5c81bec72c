"""Lượt display server: the queue engine, its JSON API, live screens, voice and reports."""

from __future__ import annotations

__version__ = "0.1.0"
