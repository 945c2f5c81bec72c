"""What `luot serve` prints at start: the addresses to open on TVs, kiosks and counter PCs.

Bound to every interface (0.0.0.0), the addresses are the machine's own LAN addresses, which
other devices can open; `localhost` is only good on the server itself. Each listed kiosk gets
its own address, since a kiosk page under any other name prints nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import psutil
from flask import Flask

from .kiosk_list import kiosk_pages

EVERYWHERE = ("0.0.0.0", "::", "")
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def lan_addresses(interfaces: dict[str, list[object]] | None = None) -> list[str]:
    """This machine's IPv4 addresses other devices can reach (no loopback, no link-local)."""
    found: list[str] = []
    for addresses in (interfaces if interfaces is not None else psutil.net_if_addrs()).values():
        for address in addresses:
            text = str(getattr(address, "address", ""))
            try:
                ip = ipaddress.ip_address(text)
            except ValueError:
                continue
            if ip.version == 4 and not (ip.is_loopback or ip.is_link_local) and text not in found:
                found.append(text)
    return found


def base_urls(scheme: str, host: str, port: int, lan: Iterable[str] | None = None) -> list[str]:
    """The server's addresses, the one to use first: its LAN addresses when bound everywhere,
    localhost when bound to loopback only, else the host it was given."""
    if host in EVERYWHERE:
        hosts = list(lan if lan is not None else lan_addresses()) or ["localhost"]
    elif host in LOOPBACK:
        hosts = ["localhost"]
    else:
        hosts = [f"[{host}]" if ":" in host else host]
    return [f"{scheme}://{name}:{port}" for name in hosts]


def banner(app: Flask, scheme: str, host: str, port: int, lan: Iterable[str] | None = None) -> str:
    """The start-up text: API, pages (every listed kiosk), database, other addresses."""
    bases = base_urls(scheme, host, port, lan)
    base = bases[0]
    lines = ["Lượt is serving:"]
    lines.append(f"  API        {base}/api/v1   (OpenAPI: {base}/api/v1/openapi.json)")
    kiosks = kiosk_pages(app)
    for name, path in app.config.get("LUOT_PAGES", []):
        if name == "kiosk" and kiosks:
            for kiosk_path, kiosk_name in kiosks:
                lines.append(f"  {name:<10} {base}{kiosk_path}   ({kiosk_name})")
        else:
            lines.append(f"  {name:<10} {base}{path}")
    if len(bases) > 1:
        lines.append(f"  also at    {', '.join(bases[1:])}")
    if host in LOOPBACK:
        lines.append(
            "  (bound to this machine only: start with --host 0.0.0.0 for TVs, kiosks and "
            "counter PCs)"
        )
    db_url = str(app.config["LUOT_DATABASE_URL"])
    lines.append(f"  database   {db_url.split('@')[-1] if '@' in db_url else db_url}")
    return "\n".join(lines)
