"""Whether a ticket's printed slip is still of use: a slip must not come out for nobody."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import Ticket, TicketStatus, TicketStep

# A reprint asked for by staff or at the kiosk serves a citizen still in the office.
_ACTIVE = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def slip_still_wanted(session: Session, ticket_id: int, *, reprint: bool = False) -> bool:
    """Whether the slip of ticket `ticket_id` should still print now.

    The first slip: only while the ticket waits and was never called (once a counter has
    called the citizen, a slip coming out of the kiosk is for nobody). A reprint: while the
    ticket waits, is called or is being served.
    """
    ticket = session.execute(
        select(
            Ticket.status,
            exists()
            .where(TicketStep.ticket_id == Ticket.id)
            .where(TicketStep.called_at.is_not(None)),
        ).where(Ticket.id == ticket_id)
    ).first()
    if ticket is None:
        return False
    status, called = ticket
    if reprint:
        return status in _ACTIVE
    return status == TicketStatus.WAITING.value and not called
