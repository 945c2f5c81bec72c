"""Backups: `luot backup` and `luot restore` (cli.py), and what `luot serve` does (serve.py).

Nothing is imported here: `luot` loads cli.py to build its parser, and the copying modules
bring the app and Alembic with them.
"""
