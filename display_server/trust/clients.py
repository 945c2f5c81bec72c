"""Who is asking: the client's address, taken from X-Forwarded-For only behind a trusted proxy."""

from __future__ import annotations

import ipaddress

from flask import Request

from .settings import Network


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    """The address of the client behind this request.

    The socket's peer, unless that peer is a trusted proxy: then the right-most address of
    X-Forwarded-For that is not itself a trusted proxy (everything left of it may be forged).
    """
    peer = request.remote_addr or ""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: trust nothing further left
    return peer
