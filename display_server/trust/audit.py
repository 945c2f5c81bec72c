"""The audit log's writer (AuditLog rows): administration's changes and refused sign-ins."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditLog


def jsonable(value: Any) -> Any:
    """A value as the audit log's JSON stores it (times as HH:MM)."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def add_entry(
    session: Session,
    office_id: int,
    officer_id: int | None,
    action: str,
    target: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the session's transaction (`officer_id` None: nobody signed in)."""
    session.add(
        AuditLog(
            office_id=office_id,
            at=at,
            officer_id=officer_id,
            action=action,
            target=target[:200],
            detail=jsonable(detail or {}),
        )
    )
