"""Counters whose officer's app has gone silent: shown as such, then closed.

The counter app asks the server for the queue every few seconds (every 15 s at most while its
event stream is live), so a counter whose app sends nothing for `silent_after` has lost it (a
crash, a PC switched off, a cable pulled) and calls nobody, whatever its state says. It is
marked silent (screens say "away", estimates stop counting it), and closed after `close_after`
if nobody is at it. `display_server.presence` notes the requests and runs `review_presence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..events import COUNTER_STATE
from ..models import Counter, CounterPresence, CounterState
from .journal import log_change
from .records import OfficeLike, current_ticket

COUNTER_PRESENCE = "counter.presence"
SILENT_CLOSED = "app_silent"  # the reason logged when a silent counter is closed


@dataclass(frozen=True)
class PresenceRules:
    """How long a counter's app may stay silent before it is shown so, and before closing."""

    silent_after: timedelta = timedelta(seconds=90)
    close_after: timedelta | None = timedelta(minutes=20)  # None: never closed for silence


def note_seen(session: Session, seen: Mapping[int, datetime]) -> None:
    """Record when each counter's app was last heard from (a later time wins)."""
    if not seen:
        return
    known = {
        row.counter_id: row
        for row in session.scalars(
            select(CounterPresence).where(CounterPresence.counter_id.in_(list(seen)))
        )
    }
    for counter_id, at in seen.items():
        row = known.get(counter_id)
        if row is None:
            session.add(CounterPresence(counter_id=counter_id, seen_at=at))
        elif at > row.seen_at:
            row.seen_at = at


def review_presence(
    session: Session, office: OfficeLike, now: datetime, rules: PresenceRules, since: datetime
) -> list[tuple[int, str]]:
    """Mark silent, clear or close each open or paused counter as its app's silence says;
    returns (counter number, what happened) for each change. `since`: when the server started
    listening (a counter is not silent for the time nobody could hear it)."""
    pairs = session.execute(select(CounterPresence.counter_id, CounterPresence.seen_at))
    seen: dict[int, datetime] = {int(row[0]): row[1] for row in pairs}
    counters = session.scalars(
        select(Counter).where(
            Counter.office_id == office.id,
            Counter.active.is_(True),
            Counter.state != CounterState.CLOSED.value,
        )
    ).all()
    changes: list[tuple[int, str]] = []
    for counter in counters:
        heard = max(
            at for at in (seen.get(counter.id), counter.state_changed_at, since) if at is not None
        )
        quiet = now - heard
        if quiet < rules.silent_after:
            if counter.silent_since is not None:
                counter.silent_since = None
                _log(session, office, counter, now, {"silent": False})
                changes.append((counter.number, "heard"))
            continue
        if rules.close_after is not None and quiet >= rules.close_after:
            if current_ticket(session, counter.id) is None:
                _close(session, office, counter, now)
                changes.append((counter.number, "closed"))
                continue
        if counter.silent_since is None:
            counter.silent_since = heard
            _log(session, office, counter, now, {"silent": True})
            changes.append((counter.number, "silent"))
    return changes


def _log(
    session: Session, office: OfficeLike, counter: Counter, now: datetime, detail: dict[str, bool]
) -> None:
    """Log a silence change and tell the screens (with the counter's view)."""
    log_change(
        session, COUNTER_PRESENCE, office_id=office.id, at=now, counter=counter, detail=detail
    )


def _close(session: Session, office: OfficeLike, counter: Counter, now: datetime) -> None:
    """Close a counter nobody has been heard from (no officer action: `officer` is None)."""
    counter.state = CounterState.CLOSED.value
    counter.pause_reason = None
    counter.officer_id = None
    counter.officer = None
    counter.state_changed_at = now
    counter.silent_since = None
    log_change(
        session,
        COUNTER_STATE,
        office_id=office.id,
        at=now,
        counter=counter,
        detail={"state": CounterState.CLOSED.value, "reason": SILENT_CLOSED},
    )
