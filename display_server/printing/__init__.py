"""Ticket printing at the kiosks: a print spool per kiosk printer, fed after each ticket commits.

Site file: `[printing]` (paper, mode, codepage, footer, logo, wait_seconds) and `[[kiosks]]`
(id, name, printer URL, profile, qr). The API gains `GET /api/v1/printers` and
`POST /api/v1/tickets/{id}/print`; the CLI gains `luot print-test` and `luot ticket-preview`.
Each slip is a job in the database, written with its ticket: a restart prints what was pending,
and a slip whose ticket was called (or served, or cancelled) meanwhile is dropped, not printed.

Modules: `settings` (the site file's tables), `slips` (what a slip says), `extension` (spools
and jobs), `journal` (jobs in the database), `routes`, `openapi`, `loading`, `cli`.
"""

from __future__ import annotations

import threading
import weakref

from flask import Flask

from ..api.openapi import add_paths, add_refiner
from ..events import Event
from ..extensions import add_serve_task, add_ticket_issued_hook, add_ticket_recording_hook, get_bus
from ..settings import SETTINGS_CHANGED
from .cli import register_cli
from .extension import PrintingExtension
from .loading import load_extension, read_settings
from .openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS, kiosk_choices
from .routes import EXTENSION_KEY, blueprint, extension_of, on_ticket_issued, on_ticket_recorded
from .settings import Kiosk, PrintingSettings, read_kiosks
from .slips import PRIORITY_LABELS, sample_ticket, ticket_content

__all__ = [
    "EXTENSION_KEY",
    "PRIORITY_LABELS",
    "Kiosk",
    "PrintingExtension",
    "PrintingSettings",
    "init_app",
    "load_extension",
    "read_kiosks",
    "read_settings",
    "register_cli",
    "sample_ticket",
    "ticket_content",
]


def init_app(app: Flask) -> None:
    """Start a spool per kiosk printer, add the ticket hooks, the routes; `luot serve` takes up
    the jobs left pending by the last run."""
    extension = load_extension(app)
    app_ref = weakref.ref(app)

    def reload() -> PrintingSettings:
        """[printing] as it stands now (administration may have changed it)."""
        current = app_ref()
        return read_settings(current) if current is not None else extension.settings

    def on_event(event: Event) -> None:
        """Note a change of [printing]; it is read again on the next use."""
        if event.kind == SETTINGS_CHANGED and event.data.get("section") == "printing":
            extension.stale = True  # re-read on the next use, not on the publisher's thread

    extension.reload = reload
    get_bus(app).subscribe(on_event)
    extension.start(**app.config.get("LUOT_PRINT_SPOOL_OPTIONS", {}))
    if extension.spools:
        site = app.config.get("LUOT_SITE") or {}
        threading.Thread(target=extension.warm_up, args=(site,), daemon=True).start()
    app.extensions[EXTENSION_KEY] = extension
    add_ticket_recording_hook(app, on_ticket_recorded)
    add_ticket_issued_hook(app, on_ticket_issued)
    add_serve_task(app, resume_pending)
    app.register_blueprint(blueprint)
    add_paths(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
    add_refiner(app, kiosk_choices)
    # Spools stop on `shutdown()`; if the app is simply dropped (tests make many), stop them too.
    weakref.finalize(app, extension.shutdown)


def resume_pending(app: Flask) -> None:
    """`luot serve` start-up task: queue again the jobs the last run left pending."""
    extension_of(app).resume()
