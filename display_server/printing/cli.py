"""`luot print-test` (a sample slip on one printer or every kiosk's) and `luot ticket-preview`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from printer import render_ticket_image
from printer.check import TestSlip, print_and_confirm

from ..i18n import translate
from .extension import PrintingExtension
from .settings import Kiosk, PrintingSettings, read_kiosks
from .slips import sample_ticket, ticket_content


def register_cli(subparsers: Any) -> None:
    """Add `luot print-test` and `luot ticket-preview` to the `luot` parser."""
    from ..cli import add_app_options

    test = subparsers.add_parser(
        "print-test",
        help="print a sample ticket on a printer, or on every kiosk printer of a site file; "
        "exits 1 unless every printer took its slip",
    )
    test.add_argument("--printer", help="printer URL (default: every kiosk printer of --site)")
    test.add_argument("--profile", help="printer profile, e.g. TM-T88V (with --printer)")
    test.add_argument("--site", type=Path, help="site file: [office], [printing], [[kiosks]]")
    test.add_argument("--lang", choices=("vi", "en"), default="vi")
    test.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the printers")
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


def cmd_print_test(args: argparse.Namespace) -> int:
    """Print a sample ticket on each printer and say which took it: 0 if all did, else 1."""
    from ..site import load_site

    site = load_site(args.site) if args.site else {}
    base_dir = args.site.parent if args.site else Path.cwd()
    settings = PrintingSettings.from_table(site.get("printing") or {}, base_dir)
    if args.printer:
        kiosks = [Kiosk(args.printer, args.printer, args.printer, args.profile)]
    else:
        kiosks = [k for k in read_kiosks(site).values() if k.printer]
    if not kiosks:
        print("luot: no printer: give --printer URL or a [[kiosks]] printer in --site")
        return 2
    extension = PrintingExtension(settings, {k.id: k for k in kiosks})
    slips: list[TestSlip] = []
    for kiosk in kiosks:
        content = ticket_content(sample_ticket(site), settings, args.lang)
        assert kiosk.printer is not None
        name = kiosk.id if kiosk.name == kiosk.id else f"{kiosk.id} ({kiosk.name})"
        slips.append(
            TestSlip(name, kiosk.printer, kiosk.profile, extension.ticket_data(kiosk, content))
        )
    results = print_and_confirm(slips, args.wait, poll_interval=None)
    for result in results:
        print(result.sentence())
    return 0 if all(result.printed for result in results) else 1


def cmd_ticket_preview(args: argparse.Namespace) -> int:
    """Write the image a kiosk printer would print for ticket `ticket_id`."""
    from ..app import create_app
    from ..queue.clock import utc_now
    from ..queue.errors import QueueError
    from ..queue.lookups import get_office, get_ticket
    from ..queue.views import ticket_view
    from .loading import load_extension

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
