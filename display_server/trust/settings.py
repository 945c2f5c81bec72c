"""The `[security]` table of the site file: proxies, origins and limits, declared once here."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SecuritySettingsError(ValueError):
    """A malformed `[security]` table."""


@dataclass(frozen=True)
class SecuritySettings:
    """What the site says about trust; every default is the safe one."""

    trusted_proxies: tuple[Network, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    anonymous_tickets_per_minute: int = 3
    signin_failures_per_user: int = 5
    signin_failures_per_address: int = 20
    signin_window_minutes: int = 5
    anonymous_tickets_per_day: int = 10
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> SecuritySettings:
        """Parse `[security]`; raises SecuritySettingsError with the key that is wrong."""
        table = dict(table or {})
        proxies: list[Network] = []
        for item in table.pop("trusted_proxies", []) or []:
            try:
                proxies.append(ipaddress.ip_network(str(item).strip(), strict=False))
            except ValueError as exc:
                raise SecuritySettingsError(
                    f"[security] trusted_proxies: {item!r} is not an address or network"
                ) from exc
        origins = tuple(
            str(origin).rstrip("/") for origin in table.pop("allowed_origins", []) or []
        )
        numbers: dict[str, int] = {}
        for name, low, high in (
            ("anonymous_tickets_per_minute", 1, 1000),
            ("signin_failures_per_user", 1, 100),
            ("signin_failures_per_address", 1, 1000),
            ("signin_window_minutes", 1, 24 * 60),
            ("anonymous_tickets_per_day", 1, 100_000),
        ):
            if name in table:
                value = table.pop(name)
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not low <= value <= high
                ):
                    raise SecuritySettingsError(
                        f"[security] {name} must be a whole number from {low} to {high}"
                    )
                numbers[name] = value
        return cls(trusted_proxies=tuple(proxies), allowed_origins=origins, extra=table, **numbers)


def security_settings(app: Flask) -> SecuritySettings:
    """The app's security settings, parsed once from the site file."""
    found = app.extensions.get("luot.security")
    if found is None:
        site = app.config.get("LUOT_SITE") or {}
        found = app.extensions["luot.security"] = SecuritySettings.from_table(site.get("security"))
    assert isinstance(found, SecuritySettings)
    return found
