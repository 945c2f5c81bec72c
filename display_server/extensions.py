"""The seams through which feature modules (printing, voice, screens, admin) join the core app.

Each feature module exposes `init_app(app)`; the app factory calls them in `FEATURES` order.
Inside `init_app` a feature may:
- register blueprints, and subscribe to the event bus (`get_bus(app)`);
- add a ticket-recording hook with `add_ticket_recording_hook`: called inside the issuing
  transaction with its session, so what it writes commits with the ticket or not at all
  (printing records the slip's print job);
- add a ticket-issued hook with `add_ticket_issued_hook`: called after the ticket commits with
  the request body and the ticket JSON; what it returns is merged into the 201 response
  (printing uses it to report `print.status`);
- add a raw ASGI route with `add_asgi_route` for long-lived connections (the event stream),
  served by the ASGI front of `luot serve` instead of the WSGI thread pool;
- add a start-up task with `add_serve_task`: run on a background thread when `luot serve`
  starts (not when a CLI command or a test builds the app).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from .events import EventBus

FEATURES: list[str] = [
    "display_server.voice",
    "display_server.printing",
    "display_server.screens",
    "display_server.admin",
    "display_server.backup.serve",
    "display_server.downloads",
    "display_server.presence",
]

TicketIssuedHook = Callable[[Flask, dict[str, Any], dict[str, Any]], dict[str, Any] | None]
TicketRecordingHook = Callable[[Flask, Session, dict[str, Any], dict[str, Any]], None]
AsgiScope = MutableMapping[str, Any]
AsgiHandler = Callable[
    [AsgiScope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


def get_bus(app: Flask) -> EventBus:
    """The app's event bus."""
    bus: EventBus = app.extensions["luot.bus"]
    return bus


def add_ticket_issued_hook(app: Flask, hook: TicketIssuedHook) -> None:
    """Run `hook(app, request_body, ticket_json)` after each API ticket issue commits."""
    app.extensions.setdefault("luot.ticket_issued_hooks", []).append(hook)


def add_ticket_recording_hook(app: Flask, hook: TicketRecordingHook) -> None:
    """Run `hook(app, session, request_body, ticket_json)` inside each API ticket issue's
    transaction; an exception undoes the ticket."""
    app.extensions.setdefault("luot.ticket_recording_hooks", []).append(hook)


def ticket_recording_hooks(app: Flask) -> list[TicketRecordingHook]:
    """Hooks registered with `add_ticket_recording_hook`."""
    hooks: list[TicketRecordingHook] = app.extensions.get("luot.ticket_recording_hooks", [])
    return hooks


def ticket_issued_hooks(app: Flask) -> list[TicketIssuedHook]:
    """Hooks registered with `add_ticket_issued_hook`."""
    hooks: list[TicketIssuedHook] = app.extensions.get("luot.ticket_issued_hooks", [])
    return hooks


def add_asgi_route(app: Flask, path: str, handler: AsgiHandler) -> None:
    """Serve `path` (exact match) with an ASGI handler in `luot serve`."""
    app.extensions.setdefault("luot.asgi_routes", {})[path] = handler


def asgi_routes(app: Flask) -> dict[str, AsgiHandler]:
    """ASGI routes registered with `add_asgi_route`."""
    routes: dict[str, AsgiHandler] = app.extensions.get("luot.asgi_routes", {})
    return routes


def add_serve_task(app: Flask, task: Callable[[Flask], object]) -> None:
    """Run `task(app)` on a background thread when `luot serve` starts."""
    app.extensions.setdefault("luot.serve_tasks", []).append(task)


def serve_tasks(app: Flask) -> list[Callable[[Flask], object]]:
    """Tasks registered with `add_serve_task`."""
    tasks: list[Callable[[Flask], object]] = app.extensions.get("luot.serve_tasks", [])
    return tasks
