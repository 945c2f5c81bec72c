"""Office, services, counters and officers: lists and forms."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from ..models import Counter, Office, Officer, Role, Service, Ticket
from ..queue.lookups import get_office
from . import operations
from .blueprint import actor, bp, db, now, page
from .formpage import form_page
from .forms import Field, FormInvalid, Problem, parse_form

OFFICE_FIELDS = (
    Field("name", "Tên cơ quan", required=True, max_length=200),
    Field("unit", "Bộ phận", max_length=200),
    Field("timezone", "Múi giờ", required=True, max_length=64),
    Field(
        "priority_policy",
        "Chính sách ưu tiên",
        kind="choice",
        required=True,
        choices=(
            ("strict", "Luôn gọi người ưu tiên trước"),
            ("ratio", "Xen kẽ: một người ưu tiên sau mỗi N người thường"),
        ),
    ),
    Field(
        "priority_ratio",
        "N (số người thường giữa hai lượt ưu tiên)",
        kind="int",
        required=True,
        minimum=1,
        maximum=20,
    ),
    Field(
        "no_show_grace_minutes",
        "Thời gian cho gọi lại người vắng mặt (phút)",
        kind="int",
        required=True,
        minimum=0,
        maximum=240,
    ),
    Field(
        "public_url",
        "Địa chỉ công khai của máy chủ",
        max_length=300,
        pattern=r"https?://[^\s]+",
        pattern_message="Địa chỉ phải bắt đầu bằng http:// hoặc "
        "https://, ví dụ http://192.168.1.10:8080.",
        help="Địa chỉ điện thoại của công dân dùng để mở trang theo dõi (mã QR trên phiếu).",
    ),
)

SERVICE_FIELDS = (
    Field(
        "code",
        "Mã dịch vụ",
        required=True,
        max_length=3,
        pattern=r"[A-Za-z]{1,3}",
        pattern_message="Mã dịch vụ gồm 1–3 chữ cái không dấu, ví dụ A hoặc HT.",
    ),
    Field("name", "Tên dịch vụ", required=True, max_length=300),
    Field("name_en", "Tên tiếng Anh", max_length=300),
    Field("active", "Đang nhận hồ sơ", kind="bool"),
    Field("issue_start", "Giờ bắt đầu lấy số", kind="time", max_length=5),
    Field("issue_end", "Giờ kết thúc lấy số", kind="time", max_length=5),
    Field("daily_limit", "Số phiếu tối đa mỗi ngày", kind="int", minimum=1, maximum=9999),
    Field(
        "target_wait_minutes", "Thời gian chờ cam kết (phút)", kind="int", minimum=1, maximum=600
    ),
    Field("sort_order", "Thứ tự hiển thị", kind="int", minimum=0, maximum=999),
    Field(
        "follow_up",
        "Dịch vụ liên thông tiếp theo",
        max_length=50,
        help="Mã các dịch vụ công dân làm tiếp với cùng số, cách nhau bởi dấu phẩy.",
    ),
)

COUNTER_FIELDS = (
    Field("number", "Số quầy", kind="int", required=True, minimum=1, maximum=9999),
    Field("name", "Tên quầy", required=True, max_length=100),
    Field("active", "Đang hoạt động", kind="bool"),
)

ROLE_CHOICES = (
    (Role.OFFICER.value, "Cán bộ tiếp nhận"),
    (Role.SUPERVISOR.value, "Cán bộ giám sát"),
    (Role.ADMIN.value, "Quản trị viên"),
)
PASSWORD_FIELDS = (
    Field("password", "Mật khẩu mới", kind="password", required=True, max_length=200),
    Field("password_confirm", "Nhập lại mật khẩu", kind="password", required=True, max_length=200),
)
OFFICER_EDIT_FIELDS = (
    Field("full_name", "Họ và tên", required=True, max_length=200),
    Field("role", "Vai trò", kind="choice", required=True, choices=ROLE_CHOICES),
    Field("active", "Đang làm việc", kind="bool"),
)
OFFICER_NEW_FIELDS = (
    Field(
        "username",
        "Tên đăng nhập",
        required=True,
        max_length=64,
        pattern=r"[A-Za-z0-9._-]{2,64}",
        pattern_message="Tên đăng nhập gồm 2–64 chữ không dấu, số, dấu chấm, gạch.",
    ),
    *OFFICER_EDIT_FIELDS,
    *PASSWORD_FIELDS,
)


def _office(session: Session) -> Office:
    return get_office(session)


# --- office ------------------------------------------------------------------------------------


@bp.route("/office", methods=["GET", "POST"])
def office() -> tuple[str, int] | BaseResponse:
    """Office details and the priority policy."""
    return form_page(
        title="Thông tin cơ quan",
        fields=OFFICE_FIELDS,
        load=lambda s: {f.name: getattr(_office(s), f.name) for f in OFFICE_FIELDS},
        save=lambda s, v: operations.update_office(s, _office(s), actor(), v, now()),
        done=url_for("admin.office"),
        saved_message="Đã lưu thông tin cơ quan.",
        intro="Tên hiển thị trên phiếu, màn hình và báo cáo; múi giờ dùng để tính ngày và giờ.",
    )


# --- services ----------------------------------------------------------------------------------


@bp.get("/services")
def services() -> str:
    """Every service with its hours, limit and target wait."""
    with db().read_session() as session:
        rows = session.scalars(
            select(Service)
            .where(Service.office_id == _office(session).id)
            .order_by(Service.sort_order, Service.code)
        ).all()
        return page("admin/services.html", title="Dịch vụ", services=rows)


def _service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.office_id != _office(session).id:
        abort(404)
    return service


def _service_values(service: Service | None) -> dict[str, Any]:
    if service is None:
        return {"active": True}
    values = {f.name: getattr(service, f.name) for f in SERVICE_FIELDS}
    values["follow_up"] = ", ".join(service.follow_up or [])
    return values


@bp.route("/services/new", methods=["GET", "POST"])
def service_new() -> tuple[str, int] | BaseResponse:
    """Add a service."""
    return form_page(
        title="Thêm dịch vụ",
        fields=SERVICE_FIELDS,
        load=lambda s: _service_values(None),
        save=lambda s, v: operations.save_service(s, _office(s), actor(), v, now()),
        done=url_for("admin.services"),
        saved_message="Đã thêm dịch vụ.",
        back=url_for("admin.services"),
    )


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_edit(service_id: int) -> tuple[str, int] | BaseResponse:
    """Change a service (a service is never deleted: tickets refer to it; deactivate it)."""
    return form_page(
        title="Sửa dịch vụ",
        fields=SERVICE_FIELDS,
        load=lambda s: _service_values(_service(s, service_id)),
        save=lambda s, v: operations.save_service(
            s, _office(s), actor(), v, now(), _service(s, service_id)
        ),
        done=url_for("admin.services"),
        saved_message="Đã lưu dịch vụ.",
        back=url_for("admin.services"),
    )


# --- counters ----------------------------------------------------------------------------------


@bp.get("/counters")
def counters() -> str:
    """Every counter with the services it serves, in order."""
    with db().read_session() as session:
        rows = session.scalars(
            select(Counter).where(Counter.office_id == _office(session).id).order_by(Counter.number)
        ).all()
        listing = [
            {
                "id": c.id,
                "number": c.number,
                "name": c.name,
                "active": c.active,
                "state": c.state,
                "officer": c.officer.full_name if c.officer else None,
                "services": [link.service.code for link in c.service_links],
            }
            for c in rows
        ]
        return page("admin/counters.html", title="Quầy", counters=listing)


def _all_services(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "code": s.code, "name": s.name, "active": s.active}
        for s in session.scalars(
            select(Service)
            .where(Service.office_id == _office(session).id)
            .order_by(Service.sort_order, Service.code)
        )
    ]


def _ranks(session: Session) -> dict[int, int]:
    """The posted order of each service ("rank_<id>": 1, 2, … or blank)."""
    ranks: dict[int, int] = {}
    problems: dict[str, Problem] = {}
    for service in _all_services(session):
        raw = (request.form.get(f"rank_{service['id']}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 99:
            problems[f"rank_{service['id']}"] = Problem(
                "Thứ tự của dịch vụ {code} phải là số từ 1 đến 99.", {"code": service["code"]}
            )
            continue
        ranks[service["id"]] = int(raw)
    if problems:
        raise FormInvalid(problems)
    return ranks


def _counter_page(counter_id: int | None) -> tuple[str, int] | BaseResponse:
    def load(session: Session) -> dict[str, Any]:
        if counter_id is None:
            return {"active": True}
        counter = _counter(session, counter_id)
        values: dict[str, Any] = {f.name: getattr(counter, f.name) for f in COUNTER_FIELDS}
        for rank, link in enumerate(counter.service_links, start=1):
            values[f"rank_{link.service_id}"] = rank
        return values

    def save(session: Session, values: dict[str, Any]) -> None:
        counter = _counter(session, counter_id) if counter_id is not None else None
        operations.save_counter(
            session, _office(session), actor(), values, _ranks(session), now(), counter
        )

    def initial(stored: Any) -> dict[str, str]:
        return {
            key: ("on" if value is True else "" if value in (None, False) else str(value))
            for key, value in stored.items()
        }

    with db().read_session() as session:
        services_list = _all_services(session)
    return form_page(
        title="Sửa quầy" if counter_id else "Thêm quầy",
        fields=COUNTER_FIELDS,
        load=load,
        save=save,
        initial=initial,
        done=url_for("admin.counters"),
        saved_message="Đã lưu quầy.",
        template="admin/counter_form.html",
        services=services_list,
        back=url_for("admin.counters"),
    )


def _counter(session: Session, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None or counter.office_id != _office(session).id:
        abort(404)
    return counter


@bp.route("/counters/new", methods=["GET", "POST"])
def counter_new() -> tuple[str, int] | BaseResponse:
    """Add a counter."""
    return _counter_page(None)


@bp.route("/counters/<int:counter_id>", methods=["GET", "POST"])
def counter_edit(counter_id: int) -> tuple[str, int] | BaseResponse:
    """Change a counter and the services it serves, in order."""
    return _counter_page(counter_id)


# --- officers ----------------------------------------------------------------------------------


@bp.get("/officers")
def officers() -> str:
    """Every officer with role and status, and what they served today."""
    with db().read_session() as session:
        office_row = _office(session)
        rows = session.scalars(
            select(Officer)
            .where(Officer.office_id == office_row.id)
            .order_by(Officer.active.desc(), Officer.full_name)
        ).all()
        tickets = (
            session.scalar(select(func.count(Ticket.id)).where(Ticket.office_id == office_row.id))
            or 0
        )
        return page(
            "admin/officers.html",
            title="Cán bộ",
            officers=rows,
            roles=dict(ROLE_CHOICES),
            has_tickets=tickets > 0,
        )


def _officer(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None or officer.office_id != _office(session).id:
        abort(404)
    return officer


@bp.route("/officers/new", methods=["GET", "POST"])
def officer_new() -> tuple[str, int] | BaseResponse:
    """Add an officer with a first password."""
    return form_page(
        title="Thêm cán bộ",
        fields=OFFICER_NEW_FIELDS,
        load=lambda s: {"active": True, "role": Role.OFFICER.value},
        # The password is hashed while parsing, before the write transaction opens.
        parse=lambda data: operations.with_password_hash(parse_form(OFFICER_NEW_FIELDS, data)),
        save=lambda s, v: operations.create_officer(s, _office(s), actor(), v, now()),
        done=url_for("admin.officers"),
        saved_message="Đã thêm cán bộ.",
        back=url_for("admin.officers"),
    )


@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
def officer_edit(officer_id: int) -> tuple[str, int] | BaseResponse:
    """Change an officer's name, role or status."""
    return form_page(
        title="Sửa thông tin cán bộ",
        fields=OFFICER_EDIT_FIELDS,
        load=lambda s: {
            f.name: getattr(_officer(s, officer_id), f.name) for f in OFFICER_EDIT_FIELDS
        },
        save=lambda s, v: operations.update_officer(
            s, _office(s), actor(), _officer(s, officer_id), v, now()
        ),
        done=url_for("admin.officers"),
        saved_message="Đã lưu thông tin cán bộ.",
        back=url_for("admin.officers"),
        links=[(url_for("admin.officer_password", officer_id=officer_id), "Đặt lại mật khẩu")],
    )


@bp.route("/officers/<int:officer_id>/password", methods=["GET", "POST"])
def officer_password(officer_id: int) -> tuple[str, int] | BaseResponse:
    """Set a new password for an officer."""
    with db().read_session() as session:
        who = _officer(session, officer_id)
        name = f"{who.full_name} ({who.username})"
    return form_page(
        title="Đặt lại mật khẩu",
        fields=PASSWORD_FIELDS,
        load=lambda s: {},
        parse=lambda data: operations.with_password_hash(parse_form(PASSWORD_FIELDS, data)),
        save=lambda s, v: operations.reset_password(
            s, _office(s), actor(), _officer(s, officer_id), v, now()
        ),
        done=url_for("admin.officers"),
        saved_message="Đã đặt lại mật khẩu.",
        back=url_for("admin.officer_edit", officer_id=officer_id),
        subject=name,
        intro="Cán bộ sẽ phải đăng nhập lại trên mọi thiết bị.",
    )


@bp.get("/")
def home() -> BaseResponse:
    """The dashboard is the home page."""
    return redirect(url_for("admin.live"))
