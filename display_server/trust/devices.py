"""Registered devices: kiosks and counters' rating tablets, each known by a secret key.

A key comes from the site file (`key` in a [[kiosks]] entry; [[tablets]] entries with id,
counter, name, key), applied at provisioning, or from pairing in administration (shown once).
Only its SHA-256 is stored. Revoking ends a device's keys for good: a revoked key never counts
again, even while the site file still names it (write a new one there).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from ..models import Counter
from ..queue.statements import first
from .models import DeviceKey

KIOSK = "kiosk"
TABLET = "tablet"
FROM_SITE = "site"
FROM_ADMIN = "admin"
DEVICE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MAX_KEY = 128
MAX_LABEL = 100


class DeviceKeyError(ValueError):
    """A [[kiosks]] key or a [[tablets]] entry of the site file that cannot be used."""


@dataclass(frozen=True)
class SiteDevice:
    """A device with its key as the site file names it."""

    kind: str
    name: str
    label: str
    key: str
    counter: int | None = None


@dataclass(frozen=True, slots=True)
class Device:
    """The device behind a live key: a kiosk by its id, or a tablet at a counter (its id)."""

    kind: str
    name: str
    counter_id: int | None


def key_digest(raw: str) -> str:
    """What is stored for a key."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_key() -> str:
    """A fresh random key (URL-safe: it travels in a pairing address)."""
    return secrets.token_urlsafe(24)


def _site_key(value: Any, where: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise DeviceKeyError(
            f"{where}: key must be 16–128 letters, digits, '-' or '_' "
            "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
        )
    return value


def site_devices(site: Mapping[str, Any]) -> list[SiteDevice]:
    """The devices the site file gives keys to; raises DeviceKeyError naming the bad entry."""
    found: list[SiteDevice] = []
    for index, entry in enumerate(site.get("kiosks") or []):
        if not isinstance(entry, Mapping) or entry.get("key") is None:
            continue  # a kiosk without a key stays unpaired; read_kiosks checks the rest
        where = f"[[kiosks]] #{index + 1}"
        kiosk_id = str(entry.get("id", "")).strip()
        if not DEVICE_ID.match(kiosk_id):
            raise DeviceKeyError(f"{where}: a kiosk with a key needs an id of letters, digits, .-_")
        label = str(entry.get("name") or kiosk_id)[:MAX_LABEL]
        found.append(SiteDevice(KIOSK, kiosk_id, label, _site_key(entry["key"], where)))
    tablets = site.get("tablets") or []
    if not isinstance(tablets, list):
        raise DeviceKeyError("[[tablets]] must be a list of tables")
    ids: set[str] = set()
    for index, entry in enumerate(tablets):
        where = f"[[tablets]] #{index + 1}"
        if not isinstance(entry, Mapping):
            raise DeviceKeyError(f"{where}: must be a table with id, counter, name and key")
        tablet_id = str(entry.get("id", "")).strip()
        if not DEVICE_ID.match(tablet_id) or tablet_id in ids:
            raise DeviceKeyError(f"{where}: needs a unique id of letters, digits, .-_")
        ids.add(tablet_id)
        counter = entry.get("counter")
        if isinstance(counter, bool) or not isinstance(counter, int) or counter < 1:
            raise DeviceKeyError(f"{where}: counter must be a counter number")
        label = str(entry.get("name") or tablet_id)[:MAX_LABEL]
        key = _site_key(entry.get("key"), where)
        found.append(SiteDevice(TABLET, tablet_id, label, key, counter))
    keys = [device.key for device in found]
    if len(set(keys)) != len(keys):
        raise DeviceKeyError("[[kiosks]] / [[tablets]]: every device needs a key of its own")
    return found


_DEVICE_KEY: Table = DeviceKey.__table__  # type: ignore[assignment]
# Built once: every kiosk ticket reads it, and building a select costs more than running it.
_RESOLVE = select(
    _DEVICE_KEY.c.kind, _DEVICE_KEY.c.name, _DEVICE_KEY.c.counter_id, _DEVICE_KEY.c.revoked_at
).where(_DEVICE_KEY.c.key_hash == bindparam("digest"))


def resolve_device(session: Session, raw: str) -> Device | None:
    """The device of a live key, or None when the key is unknown or revoked."""
    if not raw or len(raw) > MAX_KEY:
        return None
    row = first(session, _RESOLVE, {"digest": key_digest(raw)})
    if row is None:
        return None
    kind, name, counter_id, revoked_at = row
    if revoked_at is not None:
        return None
    return Device(kind, name, counter_id)


def _same_device(kind: str, name: str, counter_id: int | None) -> Any:
    """The condition matching every key of one device (tablets: of one counter)."""
    if kind == TABLET:
        return (DeviceKey.kind == TABLET) & (DeviceKey.counter_id == counter_id)
    return (DeviceKey.kind == KIOSK) & (DeviceKey.name == name)


def _revoke(session: Session, office_id: int, condition: Any, now: datetime) -> int:
    rows = session.scalars(
        select(DeviceKey).where(
            DeviceKey.office_id == office_id, DeviceKey.revoked_at.is_(None), condition
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def pair_kiosk(session: Session, office_id: int, kiosk_id: str, label: str, now: datetime) -> str:
    """A new key for kiosk `kiosk_id`; it replaces the kiosk's earlier paired key."""
    if not DEVICE_ID.match(kiosk_id):
        raise ValueError(f"not a kiosk id: {kiosk_id!r}")
    return _pair(session, office_id, KIOSK, kiosk_id, label or kiosk_id, None, now)


def pair_tablet(session: Session, office_id: int, counter: Counter, now: datetime) -> str:
    """A new key for the rating tablet at `counter`; it replaces the earlier paired one."""
    name = f"counter-{counter.number}"
    return _pair(session, office_id, TABLET, name, counter.name, counter.id, now)


def _pair(
    session: Session,
    office_id: int,
    kind: str,
    name: str,
    label: str,
    counter_id: int | None,
    now: datetime,
) -> str:
    same = _same_device(kind, name, counter_id) & (DeviceKey.source == FROM_ADMIN)
    _revoke(session, office_id, same, now)
    raw = new_key()
    session.add(
        DeviceKey(
            office_id=office_id,
            kind=kind,
            name=name,
            label=label[:MAX_LABEL],
            counter_id=counter_id,
            key_hash=key_digest(raw),
            source=FROM_ADMIN,
            created_at=now,
        )
    )
    return raw


def revoke_kiosk(session: Session, office_id: int, kiosk_id: str, now: datetime) -> int:
    """End every key of kiosk `kiosk_id` (the site file's too); how many were live."""
    return _revoke(session, office_id, _same_device(KIOSK, kiosk_id, None), now)


def revoke_tablet(session: Session, office_id: int, counter_id: int, now: datetime) -> int:
    """End every key of the rating tablets at a counter; how many were live."""
    return _revoke(session, office_id, _same_device(TABLET, "", counter_id), now)


def live_keys(session: Session, office_id: int) -> list[DeviceKey]:
    """Every key that still counts, oldest first."""
    return list(
        session.scalars(
            select(DeviceKey)
            .where(DeviceKey.office_id == office_id, DeviceKey.revoked_at.is_(None))
            .order_by(DeviceKey.created_at, DeviceKey.id)
        )
    )


def provision_devices(
    session: Session, office_id: int, site: Mapping[str, Any], now: datetime
) -> None:
    """Make the site file's keys count, and end site keys the file no longer names.

    A key that was revoked stays revoked. Raises DeviceKeyError for a tablet at no counter.
    """
    numbers = select(Counter.number, Counter.id).where(Counter.office_id == office_id)
    counters = dict(session.execute(numbers).tuples().all())
    named: set[str] = set()
    for device in site_devices(site):
        counter_id = None
        if device.kind == TABLET:
            counter_id = counters.get(device.counter or 0)
            if counter_id is None:
                raise DeviceKeyError(
                    f"[[tablets]] {device.name}: there is no counter {device.counter}"
                )
        digest = key_digest(device.key)
        named.add(digest)
        row = session.scalars(select(DeviceKey).where(DeviceKey.key_hash == digest)).first()
        if row is None:
            session.add(
                DeviceKey(
                    office_id=office_id,
                    kind=device.kind,
                    name=device.name,
                    label=device.label,
                    counter_id=counter_id,
                    key_hash=digest,
                    source=FROM_SITE,
                    created_at=now,
                )
            )
        elif row.revoked_at is None:
            row.kind, row.name, row.label, row.counter_id = (
                device.kind,
                device.name,
                device.label,
                counter_id,
            )
            row.source = FROM_SITE
    for row in session.scalars(
        select(DeviceKey).where(
            DeviceKey.office_id == office_id,
            DeviceKey.source == FROM_SITE,
            DeviceKey.revoked_at.is_(None),
        )
    ):
        if row.key_hash not in named:
            row.revoked_at = now
    session.flush()
