"""The audit log: who changed what in administration, and when (AuditLog rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..trust.audit import add_entry, jsonable
from .security import Actor

__all__ = ["changes", "jsonable", "record"]


def record(
    session: Session,
    office_id: int,
    actor: Actor | None,
    action: str,
    target: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry, by `actor`, to the session's transaction."""
    add_entry(session, office_id, actor.id if actor else None, action, target, at, detail)


def changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `values` on `obj`; return {field: [before, after]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [jsonable(before), jsonable(value)]
            setattr(obj, name, value)
    return changed
