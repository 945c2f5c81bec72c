"""`PrintingExtension`: the kiosks' printers, one spool each, and the slips sent to them.

A printer that fails never fails the ticket: the 201 says "pending", the job waits in the
database and the spool keeps trying until the slip prints or is no longer of use.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from printer import (
    PrinterError,
    PrintSpool,
    TicketContent,
    profile_prints_qr,
    profile_width_dots,
    ticket_bytes,
)
from printer.apology import apology_bytes

from ..db import Database
from ..i18n import translate
from ..queue.clock import HasTimezone, local_time, utc_now
from ..site import SiteError
from . import journal
from .settings import Kiosk, PrintingSettings
from .slips import APOLOGY, TICKET, apology_content, sample_ticket, ticket_content, ticket_document

log = logging.getLogger(__name__)

MESSAGES = {
    "unknown_kiosk": "Không có ki-ốt {kiosk}. Phiếu đã được cấp nhưng không in.",
    "pending": "Máy in chưa sẵn sàng; phiếu sẽ được in ngay khi máy in hoạt động trở lại.",
    "unavailable": "Máy in của ki-ốt {kiosk} không dùng được: {reason}",
    "render_failed": "Không tạo được nội dung phiếu để in.",
}


def ticket_job_key(ticket_id: object, *, reprint: bool = False) -> str:
    """The job key of a ticket's slip; each reprint gets a key of its own."""
    return f"ticket-{ticket_id}" + (f"-reprint-{uuid.uuid4().hex[:8]}" if reprint else "")


@dataclass
class PrintingExtension:
    """What `init_app` leaves in `app.extensions["luot.printing"]`: settings, kiosks, spools."""

    settings: PrintingSettings
    kiosks: dict[str, Kiosk]
    spools: dict[str, PrintSpool] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    reload: Callable[[], PrintingSettings] | None = None
    stale: bool = False  # administration changed [printing]; `refresh` re-reads it
    db: Database | None = None  # where jobs are kept; None: in memory only (print-test)

    def refresh(self) -> None:
        """Re-read [printing] if administration changed it (a bad change is logged, not used)."""
        if not self.stale or self.reload is None:
            return
        self.stale = False
        try:
            self.settings = self.reload()
        except SiteError as exc:
            log.error("ignoring the new [printing] settings: %s", exc)

    def start(self, **spool_options: Any) -> None:
        """One spool per kiosk printer; a backend that cannot run here is noted, not fatal."""
        journal_ = journal.DatabaseJournal(self.db) if self.db is not None else None
        for kiosk in self.kiosks.values():
            if kiosk.printer is None:
                continue
            try:
                self.spools[kiosk.id] = PrintSpool(
                    kiosk.printer, kiosk.profile, journal=journal_, **spool_options
                )
            except PrinterError as exc:
                log.error("kiosk %s cannot print: %s", kiosk.id, exc)
                self.unavailable[kiosk.id] = str(exc)

    def warm_up(self, site: Mapping[str, Any]) -> None:
        """Draw a ticket of each service once, so the day's first tickets find their lines ready."""
        try:
            for service in site.get("services") or []:
                content = ticket_content(sample_ticket(site, service), self.settings, "vi")
                for kiosk in self.kiosks.values():
                    if kiosk.id in self.spools:
                        self.ticket_data(kiosk, content)
        except Exception:  # only a head start: real tickets report their own errors
            log.debug("printing warm-up stopped", exc_info=True)

    def width_for(self, kiosk: Kiosk) -> int:
        """The paper width: the printer profile's when it declares one, else [printing] paper."""
        return profile_width_dots(kiosk.profile) or self.settings.width_dots

    def ticket_data(self, kiosk: Kiosk, content: TicketContent) -> bytes:
        """The exact bytes this kiosk's printer gets for `content`."""
        native_qr = not kiosk.image_qr and profile_prints_qr(kiosk.profile)
        return ticket_bytes(
            content,
            mode="text" if self.settings.mode == "text" else "raster",
            width_dots=self.width_for(kiosk),
            codepage=self.settings.codepage,
            native_qr=native_qr,
        )

    def render(self, kiosk: Kiosk, kind: str, document: Mapping[str, Any], reprint: bool) -> bytes:
        """The bytes of a job's document for this kiosk's printer, marked as a reprint or not."""
        if kind == APOLOGY:
            return apology_bytes(apology_content(document), self.width_for(kiosk))
        lang = str(document.get("lang") or "vi")
        content = ticket_content(document["ticket"], self.settings, lang, reprint=reprint)
        return self.ticket_data(kiosk, content)

    # -- jobs ----------------------------------------------------------------------------------

    def prints_at(self, kiosk_id: str | None) -> Kiosk | None:
        """The kiosk, if it has a printer whose spool runs."""
        kiosk = self.kiosks.get(kiosk_id or "")
        return kiosk if kiosk is not None and kiosk.id in self.spools else None

    def record_ticket(
        self,
        session: Session,
        office_id: int,
        ticket: Mapping[str, Any],
        kiosk_id: str | None,
        lang: str,
        at: datetime,
        *,
        reprint: bool = False,
    ) -> str | None:
        """Record the ticket's slip as a job of the kiosk's printer, in the caller's transaction;
        returns its key (None when the kiosk prints nothing or jobs are not kept)."""
        if self.db is None or self.prints_at(kiosk_id) is None or kiosk_id is None:
            return None
        key = ticket_job_key(ticket["id"], reprint=reprint)
        journal.add_job(
            session,
            office_id=office_id,
            key=key,
            kiosk=kiosk_id,
            kind=TICKET,
            document=ticket_document(ticket, lang),
            at=at,
            ticket_id=int(ticket["id"]),
            reprint=reprint,
        )
        return key

    def submit(
        self,
        kiosk: Kiosk,
        key: str,
        kind: str,
        document: Mapping[str, Any],
        *,
        ticket_id: int | None = None,
        reprint: bool = False,
        uncertain: bool = False,
    ) -> Any:
        """Draw the document and queue it on the kiosk's spool; returns the spool's job."""
        spool = self.spools[kiosk.id]
        data = self.render(kiosk, kind, document, reprint or uncertain)
        remake = None
        if kind == TICKET and not (reprint or uncertain):
            remake = lambda: self.render(kiosk, kind, document, True)  # noqa: E731
        wanted = None
        if kind == TICKET and ticket_id is not None and self.db is not None:
            wanted = journal.wanted_check(self.db, ticket_id, reprint=reprint)
        return spool.submit(data, key, remake=remake, wanted=wanted, uncertain=uncertain)

    def print_document(
        self,
        kiosk: Kiosk,
        key: str,
        kind: str,
        document: dict[str, Any],
        *,
        office_id: int,
        at: datetime,
        ticket_id: int | None = None,
    ) -> str:
        """Record a job (its own transaction), queue it, wait up to `wait_seconds`: its state."""
        if self.db is not None:
            with self.db.write_session() as session:
                journal.add_job(
                    session,
                    office_id=office_id,
                    key=key,
                    kiosk=kiosk.id,
                    kind=kind,
                    document=document,
                    at=at,
                    ticket_id=ticket_id,
                )
        job = self.submit(kiosk, key, kind, document, ticket_id=ticket_id)
        return str(job.wait(self.settings.wait_seconds).value)

    def print_ticket(
        self,
        ticket: Mapping[str, Any],
        kiosk_id: str | None,
        lang: str,
        *,
        reprint: bool = False,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Queue `ticket` on the kiosk's printer and wait up to `wait_seconds`: the print block.

        `key`: the job recorded for it (`record_ticket`); without one a key is made here."""
        self.refresh()
        block: dict[str, Any] = {"status": "none", "kiosk": kiosk_id, "printer": None}
        if kiosk_id is None or not self.kiosks:  # no [[kiosks]]: printing is off
            return block
        kiosk = self.kiosks.get(kiosk_id)
        if kiosk is None:
            return _failed(block, lang, "unknown_kiosk", kiosk=kiosk_id)
        block["printer"] = kiosk.printer
        if kiosk.printer is None:
            return block
        if kiosk.id not in self.spools:
            reason = self.unavailable.get(kiosk.id, "?")
            return _failed(block, lang, "unavailable", kiosk=kiosk.id, reason=reason)
        key = key or ticket_job_key(ticket["id"], reprint=reprint)
        ticket_id = ticket["id"] if isinstance(ticket["id"], int) else None
        try:
            job = self.submit(
                kiosk,
                key,
                TICKET,
                ticket_document(ticket, lang),
                ticket_id=ticket_id,
                reprint=reprint,
            )
        except Exception:  # a ticket that cannot be drawn must not fail the request
            log.exception("cannot render ticket %s for kiosk %s", ticket.get("number"), kiosk.id)
            return _failed(block, lang, "render_failed")
        block["status"] = job.wait(self.settings.wait_seconds).value
        block["job"] = key
        if block["status"] == "pending":
            block["message"] = translate(MESSAGES["pending"], lang)
        return block

    def resume(self) -> int:
        """Queue again every job the database still holds pending (after a restart); returns
        how many. A job whose bytes may have gone out is re-sent marked as a reprint."""
        if self.db is None:
            return 0
        resumed = 0
        with self.db.write_session() as session:
            journal.prune(session, utc_now())
        with self.db.read_session() as session:
            for kiosk_id in self.spools:
                kiosk = self.kiosks[kiosk_id]
                for row in journal.pending_jobs(session, kiosk_id):
                    try:
                        self.submit(
                            kiosk,
                            row.key,
                            row.kind,
                            row.document,
                            ticket_id=row.ticket_id,
                            reprint=row.reprint,
                            uncertain=row.sent,
                        )
                    except Exception:
                        log.exception("cannot take up print job %s again", row.key)
                        continue
                    resumed += 1
        if resumed:
            log.info("%d print job(s) left from the last run are queued again", resumed)
        return resumed

    def printers(self, zone: HasTimezone | None = None) -> list[dict[str, Any]]:
        """Every kiosk printer with its state, last error, pending jobs and last print (times
        in `zone`'s time: the office, as every time the API gives)."""
        self.refresh()

        def _iso(at: datetime | None) -> str | None:
            """`at` as ISO text in the office's time."""
            if at is None:
                return None
            local = local_time(zone, at) if zone is not None else at
            return local.isoformat(timespec="seconds")

        rows = []
        for kiosk in self.kiosks.values():
            if kiosk.printer is None:
                continue
            row: dict[str, Any] = {
                "kiosk": kiosk.id,
                "name": kiosk.name,
                "url": kiosk.printer,
                "profile": kiosk.profile,
                "width_dots": self.width_for(kiosk),
            }
            spool = self.spools.get(kiosk.id)
            if spool is None:
                row |= {"state": "unknown", "last_error": self.unavailable.get(kiosk.id)}
                row |= {"pending": 0, "last_printed_at": None, "checked_at": None}
            else:
                status = spool.status()
                row |= {
                    "state": status.state.value,
                    "last_error": status.last_error,
                    "pending": status.pending,
                    "last_printed_at": _iso(status.last_printed_at),
                    "checked_at": _iso(status.checked_at),
                }
            rows.append(row)
        return rows

    def shutdown(self) -> None:
        """Stop every spool's worker (pending jobs stay in the database for the next start)."""
        for spool in self.spools.values():
            spool.close(timeout=2.0)


def _failed(block: dict[str, Any], lang: str, why: str, **params: Any) -> dict[str, Any]:
    """Mark the print block failed, with the reason in the caller's language."""
    return block | {"status": "failed", "message": translate(MESSAGES[why], lang, **params)}

