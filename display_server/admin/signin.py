"""Signing in to administration with a username and password, and signing out."""

from __future__ import annotations

from flask import Response, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..auth import verify_officer
from ..queue.lookups import get_office
from .audit import record
from .blueprint import bp, db, now, page, safe_next
from .i18n import gettext
from .security import ADMIN_ROLES, Actor, SignInThrottle, sign_in, sign_out

THROTTLE_KEY = "luot.admin.throttle"


def throttle() -> SignInThrottle:
    """The app's sign-in throttle."""
    found: SignInThrottle = current_app.extensions[THROTTLE_KEY]
    return found


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | BaseResponse:
    """The sign-in form; on success, back to the page asked for."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return page("admin/login.html", next=target, username="", error=None), 200
    username = (request.form.get("username") or "").strip().lower()[:64]
    password = request.form.get("password") or ""
    address = request.remote_addr or ""
    guard = throttle()
    if guard.blocked(username, address):
        message = gettext(
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            minutes=guard.minutes,
        )
        return page("admin/login.html", next=target, username=username, error=message), 429
    with db().write_session() as session:
        office = get_office(session)
        officer = verify_officer(session, office, username, password[:200]) if username else None
        if officer is not None and officer.role in ADMIN_ROLES:
            record(
                session,
                office.id,
                Actor.of(officer),
                "signin",
                officer.username,
                now(),
                {"address": address},
            )
    if officer is None:
        guard.failed(username, address)
        message = gettext("Sai tên đăng nhập hoặc mật khẩu.")
        return page("admin/login.html", next=target, username=username, error=message), 401
    guard.succeeded(username, address)
    if officer.role not in ADMIN_ROLES:
        message = gettext(
            "Tài khoản {username} không có quyền vào trang quản trị (chỉ dành cho cán bộ giám "
            "sát và quản trị viên).",
            username=officer.username,
        )
        return page("admin/login.html", next=target, username=username, error=message), 403
    sign_in(officer)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response | BaseResponse:
    """End the session."""
    sign_out()
    return redirect(url_for("admin.login"))
