"""`luot serve`: uvicorn in front, Flask behind a thread pool, long-lived streams in asyncio.

A thread per connection cannot hold a thousand waiting-room displays on two cores, so raw ASGI
routes (the event stream) run on the event loop while every other request goes to the Flask
app through a pool of worker threads (display_server.wsgi_bridge), where SQLite's fsync
releases the GIL.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from flask import Flask

from .connection_limits import QuietRepeats, limited_protocol
from .extensions import asgi_routes, serve_tasks
from .frontend import FrontEnd, connection_budget, raise_file_limit
from .wsgi_bridge import WSGIBridge

log = logging.getLogger(__name__)

WSGI_THREADS = 32

Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]


def build_asgi(app: Flask) -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    """One ASGI callable serving the raw routes and, for everything else, the Flask app."""
    wsgi = WSGIBridge(app, workers=WSGI_THREADS, max_body=int(app.config["MAX_CONTENT_LENGTH"]))
    routes = asgi_routes(app)

    async def asgi(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        handler = routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if handler is not None:
            await handler(scope, receive, send)
            return
        await wsgi(scope, receive, send)

    return asgi


def _run_task(app: Flask, task: Callable[[Flask], object]) -> None:
    try:
        task(app)
    except Exception:
        log.exception("start-up task %s failed", task.__name__)


def serve(app: Flask, host: str, port: int, front: FrontEnd | None = None) -> None:
    """Run until interrupted, meeting clients as `front` says."""
    front = front or FrontEnd()
    max_connections, backlog = connection_budget(front.max_connections, raise_file_limit())
    # Everything loaded so far lives as long as the server: keep it out of the collector's
    # full passes, whose pauses otherwise show in the tail latency of a thousand displays.
    gc.collect()
    gc.freeze()
    for task in serve_tasks(app):
        threading.Thread(
            target=_run_task, args=(app, task), name=f"luot-{task.__name__}", daemon=True
        ).start()
    config = uvicorn.Config(
        build_asgi(app),
        host=host,
        port=port,
        http=limited_protocol(front, max_connections),
        ws="none",
        lifespan="on",
        access_log=False,
        log_level="warning",
        # Whom to believe about the client's address is `[security] trusted_proxies` alone
        # (trust/clients.py); uvicorn would otherwise take X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=front.keep_alive_timeout,
        backlog=backlog,
        ssl_certfile=front.certfile,
        ssl_keyfile=front.keyfile,
    )
    # Each malformed request is one warning of uvicorn's, and asyncio logs a failed accept()
    # once per pending connection: keep such floods to a line a minute.
    logging.getLogger("uvicorn.error").addFilter(QuietRepeats(logging.WARNING))
    logging.getLogger("asyncio").addFilter(QuietRepeats(logging.ERROR))
    uvicorn.Server(config).run()
