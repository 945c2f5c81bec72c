"""The audit log: who changed what in administration, and when (AuditLog rows)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditLog
from .security import Actor


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


def record(
    session: Session,
    office_id: int,
    actor: Actor | None,
    action: str,
    target: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(
        AuditLog(
            office_id=office_id,
            at=at,
            officer_id=actor.id if actor else None,
            action=action,
            target=target[:200],
            detail=jsonable(detail or {}),
        )
    )


def changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `values` on `obj`; return {field: [before, after]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [jsonable(before), jsonable(value)]
            setattr(obj, name, value)
    return changed
