"""Whether a request came over HTTPS: to this server itself, or to a trusted proxy that says so."""

from __future__ import annotations

import ipaddress

from flask import Request

from .settings import Network


def came_over_https(request: Request, proxies: tuple[Network, ...]) -> bool:
    """True when the client's connection was encrypted (X-Forwarded-Proto counts only when the
    socket's peer is one of the trusted `proxies`)."""
    if request.is_secure:
        return True
    try:
        peer = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if not any(peer in network for network in proxies):
        return False
    # The first value is what the proxy nearest the client saw.
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0]
    return forwarded.strip().lower() == "https"
