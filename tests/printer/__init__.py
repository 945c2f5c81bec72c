"""Tests of the printer package and of its integration into the display server."""
