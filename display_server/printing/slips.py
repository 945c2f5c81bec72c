"""What each slip says, from what the server knows: a ticket's JSON, an apology's facts.

A print job keeps its *document* (JSON) in the database, not its bytes: the same document draws
the slip again after a restart, or as a reprint, for whatever printer the kiosk has then.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from printer import TicketContent
from printer.apology import ApologyContent

from ..i18n import translate
from .settings import PrintingSettings

# Printed priority marks; English in translations/en/LC_MESSAGES/printing.po.
PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "with_infant": "Người có con nhỏ",
    "veteran": "Người có công với cách mạng",
}
TICKET, APOLOGY = "ticket", "apology"


def ticket_content(
    ticket: Mapping[str, Any], settings: PrintingSettings, lang: str, *, reprint: bool = False
) -> TicketContent:
    """What to print for a ticket, from its JSON (`display_server.queue.views.ticket_view`)."""
    english = lang == "en"
    office = ticket.get("office") or {}
    service = (english and ticket.get("service_name_en")) or ticket["service_name"]
    priority = PRIORITY_LABELS.get(str(ticket.get("priority") or "none"))
    return TicketContent(
        office_name=str(office.get("name") or ""),
        unit=str(office.get("unit") or ""),
        service_name=str(service),
        number=str(ticket["number"]),
        priority_label=translate(priority, lang) if priority else None,
        issued_at=datetime.fromisoformat(ticket["issued_at"]),
        ahead=ticket.get("ahead"),
        estimated_wait_minutes=ticket.get("estimated_wait_minutes"),
        counters=[str(c["number"]) for c in ticket.get("serving_counters") or []],
        status_url=str(ticket["status_url"]),
        footer=translate(settings.footer, lang),
        logo_path=settings.logo if settings.logo and settings.logo.is_file() else None,
        lang="en" if english else "vi",
        reprint=reprint,
    )


def ticket_document(ticket: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A ticket slip's document: the ticket's JSON as issued, and the language."""
    return {"ticket": dict(ticket), "lang": lang}


def apology_document(content: ApologyContent) -> dict[str, Any]:
    """An apology slip's document: its content, times as ISO text."""
    document = dataclasses.asdict(content)
    document["printed_at"] = content.printed_at.isoformat()
    return document


def apology_content(document: Mapping[str, Any]) -> ApologyContent:
    """The apology slip a document describes."""
    fields = {field.name for field in dataclasses.fields(ApologyContent)}
    values = {key: value for key, value in document.items() if key in fields}
    values["printed_at"] = datetime.fromisoformat(str(document["printed_at"]))
    return ApologyContent(**values)


def sample_ticket(
    site: Mapping[str, Any], service: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A ticket JSON for `print-test` and the warm-up, from the site's office and a service."""
    office = site.get("office") or {}
    services = site.get("services") or [{"code": "A", "name": "Chứng thực"}]
    chosen = service or services[0]
    counters = [c for c in site.get("counters") or [] if chosen["code"] in c.get("services", [])]
    base = str(office.get("public_url") or "http://localhost:8080").rstrip("/")
    return {
        "id": f"test-{uuid.uuid4().hex[:8]}",
        "number": f"{chosen['code']}001",
        "service_name": chosen["name"],
        "service_name_en": chosen.get("name_en"),
        "priority": "none",
        "issued_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "ahead": 3,
        "estimated_wait_minutes": 12,
        "status_url": f"{base}/t/print-test",
        "office": {"name": office.get("name", "Lượt"), "unit": office.get("unit", "")},
        "serving_counters": [{"number": c["number"]} for c in counters],
    }
