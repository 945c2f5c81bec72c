"""The device behind an API request: its `X-Device-Key` header, checked against the keys."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from ..api.errors import ApiError
from .devices import Device, resolve_device

DEVICE_HEADER = "X-Device-Key"


def device_key() -> str | None:
    """The request's device key, if it sends one."""
    raw = request.headers.get(DEVICE_HEADER, "").strip()
    return raw or None


def request_device(session: Session, *, required: bool = False) -> Device | None:
    """The paired device sending this request; 401 for a key that is unknown or revoked."""
    raw = device_key()
    if raw is None:
        if required:
            raise ApiError(
                401,
                "device_key_required",
                "Cần khóa của thiết bị đã ghép (X-Device-Key). Nhờ cán bộ giám sát ghép máy.",
            )
        return None
    device = resolve_device(session, raw)
    if device is None:
        raise ApiError(
            401,
            "invalid_device_key",
            "Khóa thiết bị không đúng hoặc đã bị thu hồi. Nhờ cán bộ giám sát ghép lại máy.",
        )
    return device
