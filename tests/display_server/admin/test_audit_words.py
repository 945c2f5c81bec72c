"""The audit log reads in words: action names and field labels, not codes and JSON."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.display_server.admin.test_forms import SERVICE


def test_the_audit_log_shows_words_not_codes(admin_client: tuple[FlaskClient, str]) -> None:
    client, csrf = admin_client
    created = client.post("/admin/services/new", data={**SERVICE, "csrf_token": csrf})
    assert created.status_code == 302
    service_id = created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    if not service_id.isdigit():  # back to the list: find the new service's page there
        listing = client.get("/admin/services").get_data(as_text=True)
        service_id = listing.split('href="/admin/services/')[-1].split('"')[0]
    edited = {**SERVICE, "csrf_token": csrf, "daily_limit": "300"}
    edited.pop("active")
    assert client.post(f"/admin/services/{service_id}", data=edited).status_code == 302
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Sửa dịch vụ" in page and "Thêm dịch vụ" in page
    assert "<code>service.update</code>" not in page
    assert "Số phiếu tối đa mỗi ngày</strong>: 100 → 300" in page
    assert "Đang nhận hồ sơ</strong>: Có → Không" in page
    assert "{&#34;" not in page and "{&quot;" not in page  # no raw JSON
    english = client.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "Edit service" in english and "Most tickets per day</strong>: 100 → 300" in english
