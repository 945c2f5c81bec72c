"""Ticket printing at the kiosks: a print spool per kiosk printer, fed after each ticket commits.

Site file: `[printing]` (paper, mode, codepage, footer, logo, wait_seconds) and `[[kiosks]]`
(id, name, printer URL, profile, qr). The API gains `GET /api/v1/printers` and
`POST /api/v1/tickets/{id}/print`; the CLI gains `luot print-test` and `luot ticket-preview`.
A printer that fails never fails the ticket: the 201 says "pending" and the spool keeps trying.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from printer import (
    DEFAULT_CODEPAGE,
    DEFAULT_FOOTER,
    PAPER_WIDTHS,
    BackendUnavailableError,
    PrinterConfigError,
    PrinterError,
    PrintSpool,
    TicketContent,
    parse_device_url,
    parse_printer_url,
    profile_prints_qr,
    profile_width_dots,
    render_ticket_image,
    ticket_bytes,
)

from .i18n import translate
from .site import SiteError

log = logging.getLogger(__name__)

EXTENSION_KEY = "luot.printing"
MODES = ("raster", "text")
# Printed priority marks; English in translations/en/LC_MESSAGES/printing.po.
PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "with_infant": "Người có con nhỏ",
    "veteran": "Người có công với cách mạng",
}
MESSAGES = {
    "unknown_kiosk": "Không có ki-ốt {kiosk}. Phiếu đã được cấp nhưng không in.",
    "pending": "Máy in chưa sẵn sàng; phiếu sẽ được in ngay khi máy in hoạt động trở lại.",
    "unavailable": "Máy in của ki-ốt {kiosk} không dùng được: {reason}",
    "render_failed": "Không tạo được nội dung phiếu để in.",
}

blueprint = Blueprint("printing", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class PrintingSettings:
    """The [printing] table."""

    width_dots: int = PAPER_WIDTHS["80mm"]
    mode: str = "raster"
    codepage: int = DEFAULT_CODEPAGE
    footer: str = DEFAULT_FOOTER
    logo: Path | None = None
    wait_seconds: float = 0.5

    @classmethod
    def from_table(cls, table: Mapping[str, Any], base_dir: Path) -> PrintingSettings:
        """Check and convert the table; raises SiteError naming the bad key."""
        paper = table.get("paper", "80mm")
        if paper not in PAPER_WIDTHS:
            raise SiteError(f"[printing] paper must be one of {', '.join(PAPER_WIDTHS)}")
        mode = table.get("mode", "raster")
        if mode not in MODES:
            raise SiteError('[printing] mode must be "raster" or "text"')
        codepage = table.get("codepage", DEFAULT_CODEPAGE)
        if not isinstance(codepage, int) or not 0 <= codepage <= 255:
            raise SiteError("[printing] codepage must be a code table number (0–255)")
        wait = table.get("wait_seconds", 0.5)
        if not isinstance(wait, int | float) or not 0 <= wait <= 10:
            raise SiteError("[printing] wait_seconds must be a number of seconds (0–10)")
        logo = table.get("logo")
        logo_path = (base_dir / str(logo)) if logo else None
        if logo_path is not None and not logo_path.is_file():
            raise SiteError(f"[printing] logo file not found: {logo_path}")
        footer = str(table.get("footer", DEFAULT_FOOTER))
        return cls(PAPER_WIDTHS[paper], mode, codepage, footer, logo_path, float(wait))


@dataclass(frozen=True)
class Kiosk:
    """One [[kiosks]] entry."""

    id: str
    name: str
    printer: str | None = None
    profile: str | None = None
    image_qr: bool = False


def read_kiosks(site: Mapping[str, Any], *, devices_only: bool = False) -> dict[str, Kiosk]:
    """The [[kiosks]] entries by id; raises SiteError for a malformed one.

    `devices_only`: the list comes from administration, whose printers must be printer devices
    (`printer.parse_device_url`); the site file, written by whoever installs the server, may
    also name a file."""
    check_url = parse_device_url if devices_only else parse_printer_url
    kiosks: dict[str, Kiosk] = {}
    for i, entry in enumerate(site.get("kiosks", []) or []):
        where = f"[[kiosks]] #{i + 1}"
        if not isinstance(entry, Mapping) or not str(entry.get("id", "")).strip():
            raise SiteError(f"{where}: needs an id")
        kiosk_id = str(entry["id"]).strip()
        if kiosk_id in kiosks:
            raise SiteError(f"{where}: id {kiosk_id} appears twice")
        printer = entry.get("printer") or None
        profile = entry.get("profile") or None
        try:
            if printer:
                check_url(str(printer))
            profile_width_dots(profile)
        except BackendUnavailableError:
            pass  # reported per kiosk at run time: the queue works without this printer
        except PrinterConfigError as exc:
            raise SiteError(f"{where}: {exc}") from exc
        if (entry.get("qr") or "native") not in ("native", "image"):
            raise SiteError(f'{where}: qr must be "native" or "image"')
        kiosks[kiosk_id] = Kiosk(
            id=kiosk_id,
            name=str(entry.get("name") or kiosk_id),
            printer=str(printer) if printer else None,
            profile=str(profile) if profile else None,
            image_qr=entry.get("qr") == "image",
        )
    return kiosks


@dataclass
class PrintingExtension:
    """What `init_app` leaves in `app.extensions["luot.printing"]`: settings, kiosks, spools."""

    settings: PrintingSettings
    kiosks: dict[str, Kiosk]
    spools: dict[str, PrintSpool] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    reload: Callable[[], PrintingSettings] | None = None
    stale: bool = False  # administration changed [printing]; `refresh` re-reads it

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
        for kiosk in self.kiosks.values():
            if kiosk.printer is None:
                continue
            try:
                self.spools[kiosk.id] = PrintSpool(kiosk.printer, kiosk.profile, **spool_options)
            except PrinterError as exc:
                log.error("kiosk %s cannot print: %s", kiosk.id, exc)
                self.unavailable[kiosk.id] = str(exc)

    def warm_up(self, site: Mapping[str, Any]) -> None:
        """Draw a ticket of each service once, so the day's first tickets find their lines ready."""
        try:
            for service in site.get("services") or []:
                sample = sample_ticket({**site, "services": [service]})
                for kiosk in self.kiosks.values():
                    if kiosk.id in self.spools:
                        self.ticket_data(kiosk, ticket_content(sample, self.settings, "vi"))
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

    def print_ticket(
        self, ticket: Mapping[str, Any], kiosk_id: str | None, lang: str, *, reprint: bool = False
    ) -> dict[str, Any]:
        """Queue `ticket` on the kiosk's printer and wait up to `wait_seconds`: the print block."""
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
        spool = self.spools.get(kiosk.id)
        if spool is None:
            reason = self.unavailable.get(kiosk.id, "?")
            return _failed(block, lang, "unavailable", kiosk=kiosk.id, reason=reason)
        try:
            data = self.ticket_data(kiosk, ticket_content(ticket, self.settings, lang))
        except Exception:  # a ticket that cannot be drawn must not fail the request
            log.exception("cannot render ticket %s for kiosk %s", ticket.get("number"), kiosk.id)
            return _failed(block, lang, "render_failed")
        key = f"ticket-{ticket['id']}" + (f"-reprint-{uuid.uuid4().hex[:8]}" if reprint else "")
        job = spool.submit(data, key=key)
        block["status"] = job.wait(self.settings.wait_seconds).value
        block["job"] = key
        if block["status"] == "pending":
            block["message"] = translate(MESSAGES["pending"], lang)
        return block

    def printers(self) -> list[dict[str, Any]]:
        """Every kiosk printer with its state, last error, pending jobs and last print."""
        self.refresh()
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
        """Stop every spool's worker (pending jobs are logged)."""
        for spool in self.spools.values():
            spool.close(timeout=2.0)


def _failed(block: dict[str, Any], lang: str, why: str, **params: Any) -> dict[str, Any]:
    """Mark the print block failed, with the reason in the caller's language."""
    return block | {"status": "failed", "message": translate(MESSAGES[why], lang, **params)}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def ticket_content(
    ticket: Mapping[str, Any], settings: PrintingSettings, lang: str
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
    )


def _language(body: Mapping[str, Any]) -> str:
    """The ticket's language: the body's "lang", else the request's."""
    from .api.errors import request_language

    wanted = body.get("lang")
    return wanted if wanted in ("vi", "en") else request_language()


def _extension(app: Flask) -> PrintingExtension:
    extension: PrintingExtension = app.extensions[EXTENSION_KEY]
    return extension


def on_ticket_issued(app: Flask, body: dict[str, Any], ticket: dict[str, Any]) -> dict[str, Any]:
    """After a ticket commits: print it at the body's "kiosk"; the 201 gets a "print" block."""
    kiosk = body.get("kiosk")
    kiosk_id = str(kiosk) if kiosk not in (None, "") else None
    return {"print": _extension(app).print_ticket(ticket, kiosk_id, _language(body))}


@blueprint.get("/printers")
def list_printers() -> Response:
    """Each kiosk printer: kiosk, url, state, last error, pending jobs, last print time."""
    return jsonify({"printers": _extension(current_app).printers()})


@blueprint.post("/tickets/<int:ticket_id>/print")
def reprint(ticket_id: int) -> Response:
    """Print a ticket again: body {"kiosk": id} (default: the kiosk that issued it).

    A signed-in officer may reprint at any kiosk; otherwise the ticket's token and the printing
    kiosk's own device key are both needed (a page elsewhere cannot run a kiosk's printer).
    """
    from .api.context import (
        LANGUAGES,
        MAX_TOKEN,
        base_url,
        bearer_token,
        choice_field,
        get_db,
        json_body,
        now,
        office,
        require_auth,
        text_field,
    )
    from .api.errors import ApiError
    from .queue.lookups import get_ticket
    from .queue.views import ticket_view
    from .trust.device_requests import request_device
    from .trust.issuing import issuing_kiosk

    body = json_body(required=False)
    extension = _extension(current_app)
    kiosk = choice_field(body, "kiosk", extension.kiosks, code="unknown_kiosk")
    token = text_field(body, "token", max_length=MAX_TOKEN)
    choice_field(body, "lang", LANGUAGES)
    with get_db().read_session() as session:
        row = get_ticket(session, office(session), ticket_id)
        kiosk_id = kiosk or row.kiosk
        if bearer_token() is not None:
            require_auth(session)
        elif token is None or not hmac.compare_digest(token.encode(), row.token.encode()):
            raise ApiError(
                401, "unauthorized", "Cần đăng nhập, hoặc mã phiếu đúng, để in lại phiếu."
            )
        else:
            device = request_device(session)
            if device is None:
                raise ApiError(
                    403,
                    "kiosk_key_required",
                    "Chỉ in lại được tại ki-ốt đã ghép, hoặc nhờ cán bộ in lại.",
                )
            kiosk_id = issuing_kiosk(device, kiosk)  # prints at the kiosk the key belongs to
        ticket = ticket_view(session, row, base_url=base_url(), now=now())
    # No kiosk named and none the ticket's own: its state (409), not a malformed request.
    if kiosk_id is None:
        raise ApiError(409, "missing_kiosk", "Phiếu này không lấy tại ki-ốt; hãy chọn ki-ốt để in.")
    if kiosk_id not in extension.kiosks:
        raise ApiError(409, "unknown_kiosk", "Không có ki-ốt {kiosk}.", kiosk=kiosk_id)
    if extension.kiosks[kiosk_id].printer is None:
        raise ApiError(409, "no_printer", "Ki-ốt {kiosk} không có máy in.", kiosk=kiosk_id)
    block = extension.print_ticket(ticket, kiosk_id, _language(body), reprint=True)
    return jsonify({"ticket": ticket_id, "number": ticket["number"], "print": block})


def read_settings(app: Flask) -> PrintingSettings:
    """[printing] from the site file with administration's changes; raises SiteError."""
    from .settings import section

    return PrintingSettings.from_table(section(app, "printing"), _site_dir(app))


def _site_dir(app: Flask) -> Path:
    """Where relative paths in the site file (the logo) start from."""
    site_file = app.config.get("LUOT_SITE_FILE")
    return Path(site_file).parent if site_file else Path.cwd()


def load_extension(app: Flask) -> PrintingExtension:
    """[printing] and the kiosk list, administration's version first (its kiosk list replaces
    the site file's). If administration saved something unusable, the site file's alone is used
    and the problem logged; an unusable site file raises SiteError."""
    from .settings import section

    site: Mapping[str, Any] = app.config.get("LUOT_SITE") or {}
    try:
        settings = read_settings(app)
    except SiteError as exc:
        log.error("printing settings saved in administration are ignored: %s", exc)
        settings = PrintingSettings.from_table(site.get("printing") or {}, _site_dir(app))
    saved = section(app, "kiosks").get("items")
    try:
        kiosks = (
            read_kiosks({"kiosks": saved}, devices_only=True) if isinstance(saved, list) else None
        )
    except SiteError as exc:
        log.error("the kiosk list saved in administration is ignored: %s", exc)
        kiosks = None
    return PrintingExtension(settings, kiosks if kiosks is not None else read_kiosks(site))


def init_app(app: Flask) -> None:
    """Start a spool per kiosk printer, add the ticket-issued hook, the routes."""
    from .api.openapi import add_paths, add_refiner
    from .events import Event
    from .extensions import add_ticket_issued_hook, get_bus
    from .printing_openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS, kiosk_choices
    from .settings import SETTINGS_CHANGED

    extension = load_extension(app)
    app_ref = weakref.ref(app)

    def reload() -> PrintingSettings:
        current = app_ref()
        return read_settings(current) if current is not None else extension.settings

    def on_event(event: Event) -> None:
        if event.kind == SETTINGS_CHANGED and event.data.get("section") == "printing":
            extension.stale = True  # re-read on the next use, not on the publisher's thread

    extension.reload = reload
    get_bus(app).subscribe(on_event)
    extension.start(**app.config.get("LUOT_PRINT_SPOOL_OPTIONS", {}))
    if extension.spools:
        site = app.config.get("LUOT_SITE") or {}
        threading.Thread(target=extension.warm_up, args=(site,), daemon=True).start()
    app.extensions[EXTENSION_KEY] = extension
    add_ticket_issued_hook(app, on_ticket_issued)
    app.register_blueprint(blueprint)
    add_paths(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
    add_refiner(app, kiosk_choices)
    # Spools stop on `shutdown()`; if the app is simply dropped (tests make many), stop them too.
    weakref.finalize(app, extension.shutdown)


# -- command line -----------------------------------------------------------------------------


def register_cli(subparsers: Any) -> None:
    """Add `luot print-test` and `luot ticket-preview` to the `luot` parser."""
    from .cli import add_app_options

    test = subparsers.add_parser("print-test", help="print a sample ticket")
    test.add_argument("--printer", help="printer URL (default: the first kiosk printer)")
    test.add_argument("--profile", help="printer profile, e.g. TM-T88V (with --printer)")
    test.add_argument("--site", type=Path, help="site file: [office], [printing], [[kiosks]]")
    test.add_argument("--lang", choices=("vi", "en"), default="vi")
    test.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the printer")
    test.set_defaults(func=cmd_print_test)

    preview = subparsers.add_parser("ticket-preview", help="write a ticket's print image (PNG)")
    preview.add_argument("ticket_id", type=int, help="the ticket's id (as in the API)")
    preview.add_argument("--png", type=Path, required=True, help="where to write the image")
    preview.add_argument("--kiosk", help="kiosk whose printer sets the width (default: issuer's)")
    preview.add_argument("--lang", choices=("vi", "en"), default="vi")
    preview.add_argument(
        "--base-url", default="http://localhost:8080", help="server address for the QR code"
    )
    add_app_options(preview)
    preview.set_defaults(func=cmd_ticket_preview)


def sample_ticket(site: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket JSON for `print-test`, from the site's office and first service."""
    office = site.get("office") or {}
    services = site.get("services") or [{"code": "A", "name": "Chứng thực"}]
    counters = [
        c for c in site.get("counters") or [] if services[0]["code"] in c.get("services", [])
    ]
    base = str(office.get("public_url") or "http://localhost:8080").rstrip("/")
    return {
        "id": f"test-{uuid.uuid4().hex[:8]}",
        "number": f"{services[0]['code']}001",
        "service_name": services[0]["name"],
        "service_name_en": services[0].get("name_en"),
        "priority": "none",
        "issued_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "ahead": 3,
        "estimated_wait_minutes": 12,
        "status_url": f"{base}/t/print-test",
        "office": {"name": office.get("name", "Lượt"), "unit": office.get("unit", "")},
        "serving_counters": [{"number": c["number"]} for c in counters],
    }


def cmd_print_test(args: argparse.Namespace) -> int:
    """Print a sample ticket and say whether it printed."""
    from .site import load_site

    site = load_site(args.site) if args.site else {}
    base_dir = args.site.parent if args.site else Path.cwd()
    settings = PrintingSettings.from_table(site.get("printing") or {}, base_dir)
    kiosk: Kiosk | None = Kiosk("print-test", "print-test", args.printer, args.profile)
    if not args.printer:
        kiosk = next((k for k in read_kiosks(site).values() if k.printer), None)
    if kiosk is None:
        print("luot: no printer: give --printer URL or a [[kiosks]] printer in --site")
        return 2
    extension = PrintingExtension(settings, {kiosk.id: kiosk})
    extension.start(poll_interval=None)
    if kiosk.id in extension.unavailable:
        print(f"luot: {extension.unavailable[kiosk.id]}")
        return 2
    try:
        block = extension.print_ticket(sample_ticket(site), kiosk.id, args.lang)
        spool = extension.spools[kiosk.id]
        job = spool.job(block.get("job", ""))
        state = job.wait(args.wait).value if job else block["status"]
        status = spool.status()
        print(
            f"{kiosk.printer}: {state} (printer {status.state}"
            + (f", {status.last_error})" if status.last_error else ")")
        )
        return 0 if state == "printed" else 1
    finally:
        extension.shutdown()


def cmd_ticket_preview(args: argparse.Namespace) -> int:
    """Write the image a kiosk printer would print for ticket `ticket_id`."""
    from .app import create_app
    from .queue.clock import utc_now
    from .queue.errors import QueueError
    from .queue.lookups import get_office, get_ticket
    from .queue.views import ticket_view

    config: dict[str, Any] = {"LUOT_FEATURES": []}
    for key, value in (
        ("LUOT_SITE_FILE", args.site),
        ("LUOT_DATABASE_URL", args.database),
        ("LUOT_DATA_DIR", args.data_dir),
    ):
        if value:
            config[key] = value
    app = create_app(config)
    extension = load_extension(app)
    try:
        with app.app_context(), app.extensions["luot.db"].read_session() as session:
            the_ticket = get_ticket(session, get_office(session), args.ticket_id)
            ticket = ticket_view(session, the_ticket, base_url=args.base_url, now=utc_now())
    except QueueError as error:
        print(f"luot: {translate(error.message, 'vi', **error.params)}")
        return 1
    kiosk = extension.kiosks.get(args.kiosk or ticket.get("kiosk") or "")
    width = extension.width_for(kiosk) if kiosk else extension.settings.width_dots
    image = render_ticket_image(ticket_content(ticket, extension.settings, args.lang), width)
    image.save(args.png)
    print(f"{args.png}: ticket {ticket['number']}, {image.width}×{image.height} dots")
    return 0
