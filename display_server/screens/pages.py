"""The screens' pages: waiting-room and counter displays, the kiosk, the ticket status page, the
rating tablet, an index of them, and QR codes drawn on the server (offices may have no internet).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from sqlalchemy import select

from .. import __version__
from ..api.context import get_db
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from ..kiosk_list import kiosk_pages
from ..models import Counter, Service
from ..queue.errors import NotFound
from ..queue.lookups import get_counter, get_office, get_ticket_by_token
from ..settings import section
from . import strings
from .qr import qr_svg
from .stream import EventStream

bp = Blueprint("screens", __name__)

EXTENSION_KEY = "luot.screens.stream"
EVENTS_URL = "/api/v1/events"
SERVICE_CODE = re.compile(r"^[A-Z]{1,3}$")
KIOSK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_QR_DATA = 300
LAYOUTS = ("auto", "landscape", "portrait")
PRIORITIES = ("elderly", "disabled", "pregnant", "with_infant", "veteran")
DEFAULT_PRIORITIES = ("elderly", "disabled", "pregnant", "with_infant")
# Everything the pages load comes from this server: no CDN, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'self'"
)


def page_language() -> str:
    """The page's language: ?lang=en switches; Vietnamese otherwise (not the browser's)."""
    wanted = request.args.get("lang", DEFAULT_LANGUAGE)
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


def other_language_url(language: str) -> str:
    """This page in the other language, keeping its other options (never a pairing key)."""
    args = {k: v for k, v in request.args.items() if k not in ("lang", "pair")}
    if language == DEFAULT_LANGUAGE:
        args["lang"] = "en"
    query = urlencode(args)
    return request.path + (f"?{query}" if query else "")


def render_screen(
    template: str,
    *,
    page: str,
    title: str,
    config: dict[str, Any],
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    """Render a screen with its language, translations and the configuration its script reads."""
    language = page_language()
    stream: EventStream | None = current_app.extensions.get(EXTENSION_KEY)
    with get_db().read_session() as session:
        office = get_office(session)
        office_json = {"name": office.name, "unit": office.unit, "timezone": office.timezone}
    config = {
        "page": page,
        "lang": language,
        "events_url": EVENTS_URL,
        "keepalive_seconds": stream.keepalive if stream else 15.0,
        "office": office_json,
        "strings": {m: translate(m, language) for m in strings.script_strings()},
        **config,
    }

    def gettext(message: str, **params: Any) -> str:
        return translate(message, language, **params)

    html = render_template(
        template,
        page=page,
        lang=language,
        title=gettext(title),
        config=config,
        office=office_json,
        other_language_url=other_language_url(language),
        _=gettext,
        version=__version__,
        asset=asset_url,
        **context,
    )
    return html, status


@bp.after_request
def _headers(response: Response) -> Response:
    """Pages load nothing from elsewhere, and screens always show fresh pages."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _missing(message: str) -> tuple[str, int]:
    return render_screen(
        "screens/missing.html",
        page="missing",
        title="Không tìm thấy",
        config={},
        message=translate(message, page_language()),
        status=404,
    )


def _codes(value: str | None) -> list[str]:
    return [
        c for c in (v.strip().upper() for v in (value or "").split(",")) if SERVICE_CODE.match(c)
    ]


def _numbers(value: str | None) -> list[int]:
    return [int(v) for v in (value or "").split(",") if v.strip().isdigit() and 0 < int(v) < 10000]


@bp.get("/display")
def display() -> tuple[str, int]:
    """The waiting-room display: ?services=A,B ?counters=1,2 ?layout=portrait ?sound=0 ?recent=8."""
    settings = section(current_app._get_current_object(), "display")  # type: ignore[attr-defined]
    language = page_language()
    notice = settings.get("notice_en") if language == "en" else None
    notice = notice or settings.get("notice") or ""
    layout = request.args.get("layout", "auto")
    recent = request.args.get("recent", "", type=str)
    return render_screen(
        "screens/display.html",
        page="display",
        title="Màn hình gọi số",
        config={
            "services": _codes(request.args.get("services")),
            "counters": _numbers(request.args.get("counters")),
            "layout": layout if layout in LAYOUTS else "auto",
            "sound": request.args.get("sound", "1") != "0",
            "recent": max(1, min(int(recent), 20)) if recent.isdigit() else 6,
            "notice": str(notice)[:2000],
        },
        layout=layout if layout in LAYOUTS else "auto",
    )


def _counter_page(number: int, template: str, page: str, title: str) -> tuple[str, int]:
    """A page that belongs to one counter (its display, its rating tablet)."""
    try:
        with get_db().read_session() as session:
            name = get_counter(session, get_office(session), number).name
    except NotFound:
        return _missing("Không có quầy số này.")
    shown = strings.counter_title(number, name, page_language())
    return render_screen(
        template,
        page=page,
        title=title,
        config={"counter": number, "counter_name": shown},
        counter_name=shown,
    )


@bp.get("/display/counter/<int:number>")
def counter_display(number: int) -> tuple[str, int]:
    """The display above one counter: the number being served there."""
    return _counter_page(number, "screens/counter.html", "counter", "Màn hình quầy")


@bp.get("/kiosk/<kiosk>")
def kiosk(kiosk: str) -> tuple[str, int]:
    """The touch kiosk where citizens take a number."""
    if not KIOSK_NAME.match(kiosk):
        return _missing("Tên máy lấy số không hợp lệ.")
    settings = section(current_app._get_current_object(), "kiosk")  # type: ignore[attr-defined]
    wanted = settings.get("priorities", list(DEFAULT_PRIORITIES))
    priorities = [p for p in wanted if p in PRIORITIES] if isinstance(wanted, list) else []
    seconds = settings.get("result_seconds", 20)
    return render_screen(
        "screens/kiosk.html",
        page="kiosk",
        title="Lấy số thứ tự",
        config={
            "kiosk": kiosk,
            "priorities": priorities,
            "result_seconds": seconds if isinstance(seconds, int) and 3 <= seconds <= 300 else 20,
        },
        priorities=priorities,
        priority_labels=strings.PRIORITY_LABELS,
    )


@bp.get("/t/<token>")
def ticket_status(token: str) -> tuple[str, int]:
    """The citizen's page for one ticket (the QR code on the ticket)."""
    if len(token) > 64:
        return _missing("Không tìm thấy phiếu này.")
    try:
        with get_db().read_session() as session:
            ticket = get_ticket_by_token(session, token)
            ticket_id, number = ticket.id, ticket.number
    except NotFound:
        return _missing("Không tìm thấy phiếu này.")
    return render_screen(
        "screens/status.html",
        page="status",
        title="Theo dõi lượt",
        config={"token": token, "ticket_id": ticket_id, "number": number},
        number=number,
    )


@bp.get("/rate/<int:number>")
def rating_tablet(number: int) -> tuple[str, int]:
    """The rating tablet at a counter."""
    return _counter_page(number, "screens/rating.html", "rating", "Đánh giá mức độ hài lòng")


@bp.get("/screens")
def index() -> tuple[str, int]:
    """Links to every screen of this office, for setting up TVs, kiosks and tablets."""
    with get_db().read_session() as session:
        office = get_office(session)
        counters = session.scalars(
            select(Counter)
            .where(Counter.office_id == office.id, Counter.active.is_(True))
            .order_by(Counter.number)
        ).all()
        services = session.scalars(
            select(Service).where(Service.office_id == office.id).order_by(Service.sort_order)
        ).all()
        counter_rows = [
            (c.number, strings.counter_title(c.number, c.name, page_language())) for c in counters
        ]
        service_rows = [(s.code, s.name) for s in services]
    return render_screen(
        "screens/index.html",
        page="index",
        title="Các màn hình",
        config={},
        counters=counter_rows,
        services=service_rows,
        kiosks=kiosk_pages(current_app._get_current_object()),  # type: ignore[attr-defined]
        base=request.host_url.rstrip("/"),
    )


@bp.get("/qr.svg")
def qr_code() -> Response:
    """A QR code of ?data= as SVG (black on white, with a quiet zone)."""
    data = request.args.get("data", "")
    if not data or len(data) > MAX_QR_DATA:
        return Response("data must be 1–300 characters", status=400, mimetype="text/plain")
    response = Response(qr_svg(data), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def asset_url(name: str) -> str:
    """A static file of the screens, with the version so a new release is fetched anew."""
    return url_for("static", filename=f"screens/{name}", v=__version__)
