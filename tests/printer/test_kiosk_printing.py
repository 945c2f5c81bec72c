"""Printing from the server: a kiosk's ticket reaches its (fake) network printer or waits for it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from display_server.cli import main as luot
from display_server.printing import EXTENSION_KEY, PrintingExtension, ticket_content
from printer import render_ticket_image
from tests.factories import login, make_site, pair_device
from tests.printer.escpos_reader import decode_ticket, same_pixels
from tests.printer.fakeprinter import FakePrinter
from tests.printer.samples import FAST
from tests.servers import free_port, write_site

AppFactory = Callable[..., Flask]
FakeFactory = Callable[..., FakePrinter]


KEYS = {"k1": "k1-key-from-the-site-file", "k2": "k2-key-from-the-site-file"}


def kiosk_site(port: int, **printing: Any) -> dict[str, Any]:
    """The test site with kiosk k1 printing to 127.0.0.1:`port` and k2 without a printer."""
    site = make_site()
    site["printing"] = {"paper": "80mm", **printing}
    site["kiosks"] = [
        {
            "id": "k1",
            "name": "Ki-ốt sảnh",
            "printer": f"network://127.0.0.1:{port}",
            "key": KEYS["k1"],
        },
        {"id": "k2", "name": "Ki-ốt tầng 2", "key": KEYS["k2"]},
    ]
    return site


def at(kiosk: str) -> dict[str, str]:
    """The headers of a request from paired kiosk `kiosk`."""
    return {"X-Device-Key": KEYS[kiosk]}


def printing_app(make_app: AppFactory, port: int, **printing: Any) -> Flask:
    return make_app(
        site=kiosk_site(port, **printing),
        features=["display_server.printing"],
        LUOT_PRINT_SPOOL_OPTIONS=FAST,
    )


def expected_image(app: Flask, ticket: dict[str, Any], lang: str = "vi") -> Any:
    """What the kiosk printer should have printed for `ticket` (its JSON)."""
    extension: PrintingExtension = app.extensions[EXTENSION_KEY]
    return render_ticket_image(ticket_content(ticket, extension.settings, lang), 576)


def test_kiosk_ticket_is_printed_dot_for_dot(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    fake = fake_printer()
    app = printing_app(make_app, fake.port)
    response = app.test_client().post(
        "/api/v1/tickets", json={"service": "B", "kiosk": "k1"}, headers=at("k1")
    )
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["print"] == {
        "status": "printed",
        "kiosk": "k1",
        "printer": f"network://127.0.0.1:{fake.port}",
        "job": f"ticket-{ticket['id']}",
    }
    assert len(fake.tickets) == 1
    printed = decode_ticket(fake.tickets[0], 576).image()
    assert same_pixels(printed, expected_image(app, ticket))


def test_printer_down_answers_pending_within_a_second_then_prints_once(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    port = free_port()
    # The default wait for the printer (0.5 s) leaves half the second to the request itself.
    app = printing_app(make_app, port)
    started = time.perf_counter()
    response = app.test_client().post(
        "/api/v1/tickets", json={"service": "A", "kiosk": "k1"}, headers=at("k1")
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["print"]["status"] == "pending"
    assert "máy in" in ticket["print"]["message"].lower()
    fake = fake_printer(port=port)
    assert len(fake.wait_for_tickets(1)) == 1
    time.sleep(0.5)
    assert len(fake.tickets) == 1
    assert same_pixels(decode_ticket(fake.tickets[0], 576).image(), expected_image(app, ticket))


def test_no_kiosk_or_no_printer_means_no_print(make_app: AppFactory) -> None:
    client = printing_app(make_app, free_port()).test_client()
    plain = client.post("/api/v1/tickets", json={"service": "A"}).get_json()
    assert plain["print"] == {"status": "none", "kiosk": None, "printer": None}
    upstairs = client.post("/api/v1/tickets", json={"service": "A"}, headers=at("k2")).get_json()
    assert upstairs["print"] == {"status": "none", "kiosk": "k2", "printer": None}
    assert upstairs["kiosk"] == "k2"  # the key says which kiosk issued it
    # Naming a kiosk without its key prints nothing there (a page elsewhere cannot print).
    claimed = client.post("/api/v1/tickets", json={"service": "A", "kiosk": "k1"}).get_json()
    assert claimed["print"] == {"status": "none", "kiosk": None, "printer": None}


def test_unknown_kiosk_keeps_the_ticket_and_says_why(make_app: AppFactory) -> None:
    app = printing_app(make_app, free_port())
    client = app.test_client()
    k9 = pair_device(app, "kiosk", "k9")  # paired, but not in the kiosk list
    response = client.post("/api/v1/tickets", json={"service": "A", "kiosk": "k9"}, headers=k9)
    assert response.status_code == 201
    block = response.get_json()["print"]
    assert block["status"] == "failed"
    assert block["message"].startswith("Không có ki-ốt k9.")
    english = client.post("/api/v1/tickets?lang=en", json={"service": "A"}, headers=k9)
    assert english.get_json()["print"]["message"].startswith("There is no kiosk k9.")


def test_without_printing_sections_nothing_prints(make_app: AppFactory) -> None:
    app = make_app(features=["display_server.printing"])
    ticket = app.test_client().post(
        "/api/v1/tickets", json={"service": "A"}, headers=pair_device(app, "kiosk", "k1")
    )
    assert ticket.status_code == 201
    assert ticket.get_json()["print"] == {"status": "none", "kiosk": "k1", "printer": None}
    assert app.test_client().get("/api/v1/printers").get_json() == {"printers": []}


def test_english_ticket(make_app: AppFactory, fake_printer: FakeFactory) -> None:
    fake = fake_printer()
    app = printing_app(make_app, fake.port)
    body = {"service": "C", "kiosk": "k1", "lang": "en", "priority": "elderly"}
    ticket = app.test_client().post("/api/v1/tickets", json=body, headers=at("k1")).get_json()
    assert ticket["print"]["status"] == "printed"
    content = ticket_content(ticket, app.extensions[EXTENSION_KEY].settings, "en")
    assert (content.service_name, content.priority_label, content.footer) == (
        "Certification",
        "Elderly",
        "Thank you!",
    )
    assert same_pixels(
        decode_ticket(fake.tickets[0], 576).image(), expected_image(app, ticket, "en")
    )


def test_printers_endpoint(make_app: AppFactory, fake_printer: FakeFactory) -> None:
    fake = fake_printer(mode="paper_low")
    app = printing_app(make_app, fake.port)
    client = app.test_client()
    client.post("/api/v1/tickets", json={"service": "A", "kiosk": "k1"}, headers=at("k1"))
    [row] = client.get("/api/v1/printers").get_json()["printers"]
    assert row["kiosk"] == "k1" and row["url"] == f"network://127.0.0.1:{fake.port}"
    assert (row["state"], row["pending"], row["last_error"]) == ("paper_low", 0, None)
    assert row["last_printed_at"] and row["width_dots"] == 576


def test_reprint(make_app: AppFactory, fake_printer: FakeFactory) -> None:
    fake = fake_printer()
    client = printing_app(make_app, fake.port).test_client()
    ticket = client.post(
        "/api/v1/tickets", json={"service": "D", "kiosk": "k1"}, headers=at("k1")
    ).get_json()
    anonymous = client.post(f"/api/v1/tickets/{ticket['id']}/print")
    assert anonymous.status_code == 401 and len(fake.tickets) == 1
    reprint = f"/api/v1/tickets/{ticket['id']}/print"
    # The token alone does not run a kiosk's printer: the kiosk's own key is needed too.
    elsewhere = client.post(reprint, json={"token": ticket["token"]})
    assert (elsewhere.status_code, elsewhere.get_json()["error"]) == (403, "kiosk_key_required")
    other = client.post(reprint, json={"token": ticket["token"], "kiosk": "k1"}, headers=at("k2"))
    assert (other.status_code, other.get_json()["error"]) == (403, "wrong_kiosk")
    assert len(fake.tickets) == 1
    again = client.post(reprint, json={"token": ticket["token"]}, headers=at("k1"))
    assert again.status_code == 200
    assert again.get_json()["print"]["status"] == "printed"
    assert len(fake.tickets) == 2
    officer = login(client, "lan", 1)
    missing = client.post("/api/v1/tickets/99999/print", json={"kiosk": "k1"}, headers=officer)
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown_ticket"
    unknown = client.post(
        f"/api/v1/tickets/{ticket['id']}/print", json={"kiosk": "k9"}, headers=officer
    )
    assert unknown.status_code == 422 and unknown.get_json()["error"] == "unknown_kiosk"
    no_printer = client.post(
        f"/api/v1/tickets/{ticket['id']}/print", json={"kiosk": "k2"}, headers=officer
    )
    assert no_printer.status_code == 409 and no_printer.get_json()["error"] == "no_printer"


def test_cli_print_test(fake_printer: FakeFactory, tmp_path: Path) -> None:
    fake = fake_printer()
    assert luot(["print-test", "--printer", f"network://127.0.0.1:{fake.port}"]) == 0
    assert len(fake.tickets) == 1
    site = write_site(tmp_path / "site.toml", kiosk_site(fake.port))
    assert luot(["print-test", "--site", str(site), "--lang", "en"]) == 0
    assert len(fake.tickets) == 2
    down = f"network://127.0.0.1:{free_port()}"
    assert luot(["print-test", "--printer", down, "--wait", "0.3"]) == 1


def test_cli_ticket_preview(make_app: AppFactory, tmp_path: Path) -> None:
    app = printing_app(make_app, free_port(), wait_seconds=0)
    ticket = app.test_client().post("/api/v1/tickets", json={"service": "B"}).get_json()
    png = tmp_path / "ticket.png"
    database = app.config["LUOT_DATABASE_URL"]
    options = ["--png", str(png), "--database", database, "--data-dir", str(tmp_path / "cli")]
    assert (
        luot(["ticket-preview", str(ticket["id"]), *options, "--base-url", "http://localhost"]) == 0
    )
    from PIL import Image

    with Image.open(png) as written:
        assert same_pixels(written.convert("1"), expected_image(app, ticket))
    assert luot(["ticket-preview", "424242", *options]) == 1


def test_administration_changes_apply_without_restart(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    from display_server.settings import save_section

    fake = fake_printer()
    app = printing_app(make_app, fake.port)
    save_section(app, "printing", {"paper": "58mm", "footer": "Hẹn gặp lại!"})
    ticket = app.test_client().post(
        "/api/v1/tickets", json={"service": "C", "kiosk": "k1"}, headers=at("k1")
    )
    extension: PrintingExtension = app.extensions[EXTENSION_KEY]
    assert (extension.settings.width_dots, extension.settings.footer) == (384, "Hẹn gặp lại!")
    content = ticket_content(ticket.get_json(), extension.settings, "vi")
    printed = decode_ticket(fake.tickets[0], 384).image()
    assert same_pixels(printed, render_ticket_image(content, 384))
    save_section(app, "printing", {"paper": "70mm"})  # refused: the last good settings stay
    assert app.test_client().get("/api/v1/printers").get_json()["printers"][0]["width_dots"] == 384


def test_openapi_documents_printing(make_app: AppFactory, fake_printer: FakeFactory) -> None:
    from jsonschema.validators import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    fake = fake_printer()
    client = printing_app(make_app, fake.port).test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:luot", DRAFT202012.create_resource(document))

    def check(path: str, method: str, response: Any) -> None:
        escaped = path.replace("/", "~1")
        schema = f"urn:luot#/paths/{escaped}/{method}/responses/{response.status_code}"
        validator = Draft202012Validator(
            {"$ref": schema + "/content/application~1json/schema"}, registry=registry
        )
        assert not list(validator.iter_errors(response.get_json()))

    ticket = client.post("/api/v1/tickets", json={"service": "A", "kiosk": "k1"}, headers=at("k1"))
    check("/api/v1/tickets", "post", ticket)
    Draft202012Validator(
        {"$ref": "urn:luot#/components/schemas/PrintResult"}, registry=registry
    ).validate(ticket.get_json()["print"])
    check("/api/v1/printers", "get", client.get("/api/v1/printers"))
    path = "/api/v1/tickets/{ticket_id}/print"
    token = ticket.get_json()["token"]
    check(
        path,
        "post",
        client.post(
            f"/api/v1/tickets/{ticket.get_json()['id']}/print",
            json={"token": token},
            headers=at("k1"),
        ),
    )
    check(path, "post", client.post("/api/v1/tickets/99999/print", json={"kiosk": "k1"}))


def test_kiosk_list_saved_in_administration_replaces_the_site_files(
    make_app: AppFactory, fake_printer: FakeFactory
) -> None:
    from display_server.settings import save_section

    fake = fake_printer()
    first = printing_app(make_app, free_port())
    database = first.config["LUOT_DATABASE_URL"]
    kiosks = [{"id": "hall", "name": "Sảnh", "printer": f"network://127.0.0.1:{fake.port}"}]
    save_section(first, "kiosks", {"items": kiosks})
    save_section(first, "printing", {"logo": "no-such-logo.png"})  # unusable: logged, ignored
    restarted = make_app(
        site=kiosk_site(free_port()),
        database=database,
        features=["display_server.printing"],
        LUOT_PRINT_SPOOL_OPTIONS=FAST,
    )
    extension: PrintingExtension = restarted.extensions[EXTENSION_KEY]
    assert list(extension.kiosks) == ["hall"]
    assert extension.settings.logo is None
    response = restarted.test_client().post(
        "/api/v1/tickets", json={"service": "A"}, headers=pair_device(restarted, "kiosk", "hall")
    )
    assert response.get_json()["print"]["status"] == "printed"
