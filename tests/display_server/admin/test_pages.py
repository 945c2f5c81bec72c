"""The live dashboard's data and apology button, the report page, the public page, English."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import FakeClock, issue, login, make_site
from tests.printer.fakeprinter import FakePrinter

from .conftest import admin_site, sign_in
from .scenario import Record, expected

VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def _busy_morning(client: FlaskClient, clock: FakeClock) -> dict[str, dict[str, object]]:
    """A001 waits 30 min then is served at counter 1; A002 still waits past the target."""
    first = issue(client, "A", kiosk="k1")
    clock.advance(minutes=5)
    second = issue(client, "A")
    issue(client, "C")
    clock.advance(minutes=25)
    headers = login(client, "lan", counter=1)
    client.post("/api/v1/counters/1/call-next", headers=headers)
    client.post("/api/v1/counters/1/start", headers=headers)
    clock.advance(minutes=1)
    return {"first": first, "second": second}


def test_live_json_shows_queues_counters_and_late_citizens(
    admin_client: tuple[FlaskClient, str],
    clock: FakeClock,
) -> None:
    client, _ = admin_client
    tickets = _busy_morning(client, clock)
    data = client.get("/admin/live.json").get_json()
    services = {s["code"]: s for s in data["services"]}
    assert (services["A"]["waiting"], services["C"]["waiting"]) == (1, 1)
    assert services["A"]["past_target"] == 1 and services["A"]["longest_wait_minutes"] == 26.0
    counter = next(c for c in data["counters"] if c["number"] == 1)
    assert counter["state"] == "open" and counter["officer"]["full_name"] == "Nguyễn Thị Lan"
    assert counter["ticket"]["number"] == "A001" and counter["ticket"]["status"] == "serving"
    late = {t["number"]: t for t in data["late"]}
    assert set(late) == {"A001", "A002"}
    assert late["A001"]["waited_minutes"] == 30.0 and not late["A001"]["still_waiting"]
    assert late["A002"]["over_minutes"] == 6.0 and late["A002"]["still_waiting"]
    assert late["A001"]["id"] == tickets["first"]["id"]
    totals = data["totals"]
    assert (totals["issued"], totals["waiting"], totals["served"]) == (3, 2, 0)
    assert totals["average_wait_minutes"] == 30.0 and totals["longest_wait_minutes"] == 26.0
    assert data["printing"] is False
    page = client.get("/admin/live").data.decode()
    assert 'id="live-data"' in page and "A001" in page


def test_dashboard_apology_button(make_app: Callable[..., Flask], clock: FakeClock) -> None:
    with FakePrinter() as printer:
        site = admin_site(kiosks=[{"id": "k1", "printer": f"network://127.0.0.1:{printer.port}"}])
        app = make_app(
            site=site,
            features=["display_server.printing", "display_server.admin"],
            clock=clock,
            LUOT_PRINT_SPOOL_OPTIONS={"poll_interval": None},
        )
        client = app.test_client()
        token = sign_in(client)
        tickets = _busy_morning(client, clock)
        printer.wait_for_tickets(1)
        data = client.get("/admin/live.json").get_json()
        assert data["printing"] is True and data["kiosks"] == [{"id": "k1", "name": "k1"}]
        ticket_id = tickets["first"]["id"]
        refused = client.post("/admin/live/apology", json={"ticket": ticket_id, "reason": "x"})
        assert refused.status_code == 400  # no CSRF header
        response = client.post(
            "/admin/live/apology",
            headers={"X-CSRF-Token": token},
            json={"ticket": ticket_id, "reason": "Đông người"},
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["print"]["status"] == "printed"
        assert "Đã gửi phiếu xin lỗi số A001" in response.get_json()["message"]
        late = {t["number"]: t for t in client.get("/admin/live.json").get_json()["late"]}
        assert late["A001"]["apologised"] and not late["A002"]["apologised"]
        # A002 was not taken at a kiosk; with one printer, that printer is used.
        response = client.post(
            "/admin/live/apology",
            headers={"X-CSRF-Token": token},
            json={"ticket": tickets["second"]["id"], "reason": ""},
        )
        assert response.status_code == 422
        assert response.get_json()["message"] == "Hãy ghi lý do xin lỗi."


def test_report_page_has_figures_charts_and_table(
    day_app: tuple[Flask, dict[int, Record]],
) -> None:
    app, records = day_app
    client = app.test_client()
    sign_in(client)
    page = client.get("/admin/reports?from=2026-11-23&to=2026-11-26&group=service").data.decode()
    assert page.count("<svg") == 4 and page.count("<rect") > 10 and "<path" in page
    total = expected(records, "total")["total"]
    assert f'<span class="big">{total.issued}</span>' in page
    assert "Tổng cộng" in page and "Hộ tịch" in page
    response = client.get("/admin/reports?from=2026-11-26&to=2026-11-01")
    assert response.status_code == 422
    assert "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in response.data.decode()
    printable = client.get("/admin/reports?from=2026-11-24&to=2026-11-25&print=1").data.decode()
    assert "printable" in printable and "print.js" in printable


def test_public_page_needs_no_sign_in(day_app: tuple[Flask, dict[int, Record]]) -> None:
    app, records = day_app
    response = app.test_client().get("/cong-khai")
    assert response.status_code == 200
    page = response.data.decode()
    assert "Công khai thời gian giải quyết thủ tục" in page and 'http-equiv="refresh"' in page
    today = expected({k: r for k, r in records.items() if r.day.day == 25}, "total")["total"]
    average = sum(today.waits) / len(today.waits) / 60
    assert f'<span class="big">{average:.1f}</span> phút chờ trung bình' in page
    english = app.test_client().get("/cong-khai?lang=en").data.decode()
    assert "Published waiting and service times" in english and "Civil status" in english


def test_english_pages_have_no_vietnamese_left(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    site = make_site(name="Ward One", unit="One-stop desk")
    for service in site["services"]:
        service["name"] = service["name_en"]
    for counter in site["counters"]:
        counter["name"] = f"Counter {counter['number']}"
    for officer in site["officers"]:
        officer["full_name"] = officer["username"].title()
    site["rating"] = {
        "levels": [
            {"key": "good", "label": "Good", "score": 2},
            {"key": "bad", "label": "Bad", "score": 1},
        ]
    }
    site["voice"] = {"template": "{number} to {counter}", "play_on_server": False}
    site["printing"] = {"footer": "Thanks"}
    app = make_app(site=site, features=["display_server.admin"], clock=clock)
    client = app.test_client()
    client.get("/admin/login?lang=en")
    token = sign_in(client)
    issue(client, "A")
    pages = [
        "/admin/live",
        "/admin/reports",
        "/admin/office",
        "/admin/services",
        "/admin/services/new",
        "/admin/counters",
        "/admin/counters/1",
        "/admin/officers",
        "/admin/officers/new",
        "/admin/officers/1/password",
        "/admin/kiosks",
        "/admin/audit",
        "/admin/settings/display",
        "/admin/settings/voice",
        "/admin/settings/rating",
        "/admin/settings/kiosk",
        "/admin/settings/printing",
        "/admin/reports?group=officer",
        "/admin/reports?from=x",
        "/cong-khai",
        "/admin/nothing-here",
    ]
    for path in pages:
        text = client.get(path).data.decode()
        text = text.replace("Lượt", "").replace("Tiếng Việt", "")  # the product's name, a link
        leftovers = VIETNAMESE.findall(re.sub(r"<script.*?</script>", "", text, flags=re.S))
        context = r"[^<>]{0,40}" + VIETNAMESE.pattern + r"[^<>]{0,40}"
        assert not leftovers, (path, re.findall(context, text, re.IGNORECASE)[:5])
    response = client.post("/admin/services/new", data={"csrf_token": token, "code": "?"})
    assert not VIETNAMESE.findall(response.data.decode().replace("Lượt", ""))


def test_cached_reports_follow_every_change(
    admin_client: tuple[FlaskClient, str], admin_app: Flask, clock: FakeClock
) -> None:
    from display_server.admin.reporting import report_cache

    client, token = admin_client
    headers = login(client, "mai")
    url = "/api/v1/reports?from=2026-11-25&to=2026-11-25&group=service"

    def issued() -> int:
        return int(client.get(url, headers=headers).get_json()["total"]["issued"])

    cache = report_cache(admin_app)
    assert issued() == 0
    assert issued() == 0 and cache.hits == 1
    issue(client, "A")
    assert issued() == 1  # a queue change (event log) makes a new version
    client.post(
        "/admin/settings/rating",
        data={
            "csrf_token": token,
            "window_minutes": "10",
            "satisfied_min_score": "1",
            "level_1_key": "good",
            "level_1_label": "Tốt",
            "level_1_score": "2",
            "level_2_key": "bad",
            "level_2_label": "Kém",
            "level_2_score": "1",
        },
    )
    body = client.get(url, headers=headers).get_json()
    assert body["satisfied_score"] == 1 and cache.misses == 3
