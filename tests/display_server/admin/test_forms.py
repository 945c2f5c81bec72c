"""Administration forms: bad input is refused with a message per field and changes nothing;
good input is saved and audited (who, what, when)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from display_server.models import (
    AuditLog,
    Counter,
    CounterService,
    Office,
    Officer,
    OfficeSetting,
    Service,
)
from display_server.settings import section

from .conftest import table_rows

TABLES = (Office, Service, Counter, CounterService, Officer, OfficeSetting, AuditLog)


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.extensions["luot.db"].read_session() as read:
        return {model.__tablename__: table_rows(read, model) for model in TABLES}


def refused(
    client: FlaskClient, app: Flask, path: str, form: dict[str, str], messages: list[str]
) -> str:
    """Post `form`; assert 422, each message shown, and the database unchanged."""
    before = snapshot(app)
    response = client.post(path, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    for message in messages:
        assert message in page, message
    assert "Chưa lưu" in page
    assert snapshot(app) == before
    return page


OFFICE = {
    "name": "UBND phường Phú Đô",
    "unit": "Bộ phận Một cửa",
    "timezone": "Asia/Ho_Chi_Minh",
    "priority_policy": "ratio",
    "priority_ratio": "3",
    "no_show_grace_minutes": "15",
    "public_url": "",
}


def test_office_form(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    refused(
        client,
        admin_app,
        "/admin/office",
        {
            **OFFICE,
            "csrf_token": token,
            "name": "  ",
            "timezone": "Asia/Hanoi_Not",
            "priority_ratio": "0",
            "public_url": "ftp://x",
            "priority_policy": "random",
        },
        [
            "Hãy nhập Tên cơ quan.",
            "N (số người thường giữa hai lượt ưu tiên) phải từ 1 đến 20.",
            "Địa chỉ phải bắt đầu bằng http:// hoặc https://",
            "Hãy chọn Chính sách ưu tiên trong danh sách.",
        ],
    )
    refused(
        client,
        admin_app,
        "/admin/office",
        {**OFFICE, "csrf_token": token, "timezone": "Asia/Hanoi_Not"},
        ["Múi giờ không hợp lệ: Asia/Hanoi_Not."],
    )
    response = client.post(
        "/admin/office", data={**OFFICE, "csrf_token": token, "public_url": "http://10.0.0.5:8080"}
    )
    assert response.status_code == 302
    assert "Đã lưu thông tin cơ quan." in client.get("/admin/office").data.decode()
    with admin_app.extensions["luot.db"].read_session() as read:
        office = read.scalars(select(Office)).one()
        assert (office.priority_policy, office.public_url) == ("ratio", "http://10.0.0.5:8080")
        entry = read.scalars(select(AuditLog).where(AuditLog.action == "office.update")).one()
        mai = read.scalars(select(Officer).where(Officer.username == "mai")).one()
        assert entry.officer_id == mai.id and entry.at is not None
        assert entry.detail["changes"]["priority_policy"] == ["strict", "ratio"]


SERVICE = {
    "code": "E",
    "name": "Bảo trợ xã hội",
    "name_en": "Social protection",
    "active": "on",
    "issue_start": "07:30",
    "issue_end": "16:30",
    "daily_limit": "100",
    "target_wait_minutes": "25",
    "sort_order": "5",
    "follow_up": "",
}


def test_service_forms(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    page = refused(
        client,
        admin_app,
        "/admin/services/new",
        {
            **SERVICE,
            "csrf_token": token,
            "code": "1!",
            "name": "",
            "daily_limit": "nhiều",
            "issue_start": "25:00",
            "target_wait_minutes": "0",
        },
        [
            "Mã dịch vụ gồm 1–3 chữ cái không dấu",
            "Hãy nhập Tên dịch vụ.",
            "Số phiếu tối đa mỗi ngày phải là một số nguyên.",
            "Giờ bắt đầu lấy số phải có dạng giờ:phút",
            "Thời gian chờ cam kết (phút) phải từ 1 đến 600.",
        ],
    )
    assert 'value="nhiều"' in page  # what was typed is shown again
    refused(
        client,
        admin_app,
        "/admin/services/new",
        {**SERVICE, "csrf_token": token, "code": "a", "issue_start": "17:00", "follow_up": "Z, E"},
        [
            "Mã dịch vụ A đã được dùng.",
            "Giờ kết thúc lấy số phải sau giờ bắt đầu.",
            "Dịch vụ liên thông không hợp lệ: Z, E.",
        ],
    )
    assert (
        client.post(
            "/admin/services/new", data={**SERVICE, "csrf_token": token, "follow_up": "c"}
        ).status_code
        == 302
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        service = read.scalars(select(Service).where(Service.code == "E")).one()
        assert (service.daily_limit, service.target_wait_minutes, service.follow_up) == (
            100,
            25,
            ["C"],
        )
        assert str(service.issue_start) == "07:30:00"
        service_id = service.id
    form = {**SERVICE, "csrf_token": token, "target_wait_minutes": "40", "active": ""}
    form.pop("active")
    assert client.post(f"/admin/services/{service_id}", data=form).status_code == 302
    with admin_app.extensions["luot.db"].read_session() as read:
        service = read.get_one(Service, service_id)
        assert (service.target_wait_minutes, service.active) == (40, False)
        actions = [e.action for e in read.scalars(select(AuditLog).order_by(AuditLog.id))]
        assert actions[-2:] == ["service.create", "service.update"]
    assert client.get("/admin/services/9999").status_code == 404


def test_counter_forms(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    with admin_app.extensions["luot.db"].read_session() as read:
        ids = {s.code: s.id for s in read.scalars(select(Service))}
    refused(
        client,
        admin_app,
        "/admin/counters/new",
        {
            "csrf_token": token,
            "number": "2",
            "name": "Quầy mới",
            "active": "on",
            f"rank_{ids['A']}": "x",
        },
        ["Thứ tự của dịch vụ A phải là số từ 1 đến 99."],
    )
    refused(
        client,
        admin_app,
        "/admin/counters/new",
        {"csrf_token": token, "number": "2", "name": "Quầy mới", "active": "on"},
        ["Số quầy 2 đã có."],
    )
    response = client.post(
        "/admin/counters/new",
        data={
            "csrf_token": token,
            "number": "4",
            "name": "Quầy 4",
            "active": "on",
            f"rank_{ids['D']}": "2",
            f"rank_{ids['B']}": "1",
        },
    )
    assert response.status_code == 302
    with admin_app.extensions["luot.db"].read_session() as read:
        counter = read.scalars(select(Counter).where(Counter.number == 4)).one()
        assert [link.service.code for link in counter.service_links] == ["B", "D"]
        counter_id = counter.id
    assert "B → D" in client.get("/admin/counters").data.decode()
    page = client.get(f"/admin/counters/{counter_id}").data.decode()
    assert f'name="rank_{ids["B"]}" value="1"' in page
    client.post(
        f"/admin/counters/{counter_id}",
        data={
            "csrf_token": token,
            "number": "4",
            "name": "Quầy 4",
            "active": "on",
            f"rank_{ids['A']}": "1",
        },
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        counter = read.get_one(Counter, counter_id)
        assert [link.service.code for link in counter.service_links] == ["A"]
        entry = read.scalars(select(AuditLog).where(AuditLog.action == "counter.update")).one()
        assert entry.detail["changes"]["services"] == [["B", "D"], ["A"]]


OFFICER = {
    "username": "ngoc",
    "full_name": "Vũ Ngọc",
    "role": "officer",
    "active": "on",
    "password": "mot-mat-khau-dai",
    "password_confirm": "mot-mat-khau-dai",
}


def test_officer_forms(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    refused(
        client,
        admin_app,
        "/admin/officers/new",
        {
            **OFFICER,
            "csrf_token": token,
            "username": "a b",
            "full_name": "",
            "role": "boss",
            "password": "",
            "password_confirm": "",
        },
        [
            "Tên đăng nhập gồm 2–64 chữ không dấu",
            "Hãy nhập Họ và tên.",
            "Hãy chọn Vai trò trong danh sách.",
            "Hãy nhập Mật khẩu mới.",
        ],
    )
    refused(
        client,
        admin_app,
        "/admin/officers/new",
        {**OFFICER, "csrf_token": token, "password": "ngan", "password_confirm": "ngan"},
        ["Mật khẩu cần ít nhất 8 ký tự."],
    )
    refused(
        client,
        admin_app,
        "/admin/officers/new",
        {**OFFICER, "csrf_token": token, "password_confirm": "khac-han-nhe"},
        ["Hai lần nhập mật khẩu không khớp."],
    )
    refused(
        client,
        admin_app,
        "/admin/officers/new",
        {**OFFICER, "csrf_token": token, "username": "LAN"},
        ["Tên đăng nhập lan đã có."],
    )
    refused(
        client,
        admin_app,
        "/admin/officers/new",
        {**OFFICER, "csrf_token": token, "role": "admin"},
        ["Chỉ quản trị viên mới được tạo hoặc sửa tài khoản quản trị viên."],
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        mai_id = read.scalars(select(Officer.id).where(Officer.username == "mai")).one()
    refused(
        client,
        admin_app,
        f"/admin/officers/{mai_id}",
        {"csrf_token": token, "full_name": "Lê Thị Mai", "role": "supervisor"},
        ["Bạn không thể tự khóa tài khoản của mình."],
    )
    assert (
        client.post("/admin/officers/new", data={**OFFICER, "csrf_token": token}).status_code == 302
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        ngoc = read.scalars(select(Officer).where(Officer.username == "ngoc")).one()
        assert ngoc.password_hash.startswith(("scrypt:", "pbkdf2:"))
        entry = read.scalars(select(AuditLog).where(AuditLog.action == "officer.create")).one()
        assert "password" not in str(entry.detail)
    page = client.get("/admin/audit").data.decode()
    assert "officer.create" in page and "Lê Thị Mai" in page


VOICE = {
    "enabled": "on",
    "language": "vi",
    "voice": "",
    "rate": "160",
    "volume": "0,8",
    "template": "Mời số {number} đến quầy {counter}",
    "template_en": "{number} to {counter}",
    "number_style": "value",
    "dialect": "south",
    "repeat": "2",
    "chime": "on",
    "play_on_server": "",
    "device": "",
}


def test_voice_settings(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    refused(
        client,
        admin_app,
        "/admin/settings/voice",
        {**VOICE, "csrf_token": token, "rate": "1000", "volume": "2", "language": "fr"},
        [
            "Tốc độ (từ/phút) phải từ 50 đến 400.",
            "Âm lượng (0–1) phải từ 0 đến 1.",
            "Hãy chọn Ngôn ngữ đọc trong danh sách.",
        ],
    )
    refused(
        client,
        admin_app,
        "/admin/settings/voice",
        {
            **VOICE,
            "csrf_token": token,
            "template": "Mời {so} đến quầy {counter}",
            "template_en": "Go to {counter",
        },
        ["Mẫu câu chỉ được dùng", "không có {so}", "Mẫu câu có dấu ngoặc { } không cân đối."],
    )
    refused(
        client,
        admin_app,
        "/admin/settings/voice",
        {**VOICE, "csrf_token": token, "template": "Mời đến quầy {counter}"},
        ["Mẫu câu phải có {number} (số thứ tự)."],
    )
    assert (
        client.post("/admin/settings/voice", data={**VOICE, "csrf_token": token}).status_code == 302
    )
    voice = section(admin_app, "voice")
    assert (voice["volume"], voice["dialect"], voice["play_on_server"], voice["rate"]) == (
        0.8,
        "south",
        False,
        160,
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        entry = read.scalars(select(AuditLog).where(AuditLog.action == "settings.update")).one()
        assert entry.target == "voice" and entry.detail["changes"]["dialect"][1] == "south"


def test_rating_levels(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    base = {"csrf_token": token, "window_minutes": "10", "comment": "on", "satisfied_min_score": ""}
    one = {"level_1_key": "ok", "level_1_label": "Được", "level_1_score": "1"}
    refused(
        client,
        admin_app,
        "/admin/settings/rating",
        {**base, **one},
        ["Cần ít nhất hai mức đánh giá."],
    )
    refused(
        client,
        admin_app,
        "/admin/settings/rating",
        {**base, **one, "level_2_key": "ok", "level_2_label": "Tốt", "level_2_score": "2"},
        ["Mỗi mức đánh giá cần một mã riêng."],
    )
    refused(
        client,
        admin_app,
        "/admin/settings/rating",
        {**base, **one, "level_2_key": "Tốt lắm", "level_2_label": "Tốt", "level_2_score": "99"},
        ["Mã mức chỉ gồm chữ thường không dấu", "Điểm phải từ 1 đến 10."],
    )
    four = {
        **one,
        "level_2_key": "good",
        "level_2_label": "Hài lòng",
        "level_2_score": "3",
        "level_3_key": "very",
        "level_3_label": "Rất hài lòng",
        "level_3_label_en": "Very satisfied",
        "level_3_score": "4",
        "level_4_key": "so",
        "level_4_label": "Bình thường",
        "level_4_score": "2",
    }
    assert (
        client.post(
            "/admin/settings/rating", data={**base, **four, "satisfied_min_score": "4"}
        ).status_code
        == 302
    )
    rating = section(admin_app, "rating")
    assert [level["key"] for level in rating["levels"]] == ["very", "good", "so", "ok"]
    assert rating["satisfied_min_score"] == 4
    from display_server.admin.ratings import satisfied_score

    assert satisfied_score(admin_app) == 4
    assert client.post("/admin/settings/rating", data={**base, **four}).status_code == 302
    assert "satisfied_min_score" not in section(admin_app, "rating")
    assert satisfied_score(admin_app) == 3  # the top two of four levels


def test_kiosk_list(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    refused(
        client,
        admin_app,
        "/admin/kiosks",
        {
            "csrf_token": token,
            "kiosk_1_id": "k1",
            "kiosk_1_printer": "lpt1",
            "kiosk_2_id": "k1",
            "kiosk_3_id": "",
            "kiosk_3_name": "Sảnh",
        },
        ["Máy in không hợp lệ", "Mã ki-ốt k1 bị trùng.", "Hãy nhập Mã ki-ốt."],
    )
    printer = "file:///dev/usb/lp0"  # administration names printer devices only
    assert (
        client.post(
            "/admin/kiosks",
            data={
                "csrf_token": token,
                "kiosk_1_id": "k1",
                "kiosk_1_name": "Sảnh chính",
                "kiosk_1_printer": printer,
                "kiosk_1_qr": "image",
                "kiosk_2_id": "",
            },
        ).status_code
        == 302
    )
    with admin_app.extensions["luot.db"].read_session() as read:
        saved = read.get_one(OfficeSetting, (1, "kiosks")).value
    assert saved == {
        "items": [{"id": "k1", "name": "Sảnh chính", "printer": printer, "qr": "image"}]
    }
    assert "Sảnh chính" in client.get("/admin/kiosks").data.decode()


def test_messages_in_english(admin_client: tuple[FlaskClient, str], admin_app: Flask) -> None:
    client, token = admin_client
    client.get("/admin/office?lang=en")
    response = client.post("/admin/office", data={**OFFICE, "csrf_token": token, "name": ""})
    page = response.data.decode()
    assert response.status_code == 422
    assert "Please enter Office name." in page and "Not saved" in page
