"""Signing in to administration with a username and password, and signing out.

The password is checked with no transaction open (trust/signin_throttle.py); only the short
write that starts the session holds the database's write lock.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..auth import (
    CHANGE_FIRST_MESSAGE,
    confirm_officer,
    hash_password,
    new_password_problem,
    set_own_password,
)
from ..queue.lookups import get_office
from ..trust.clients import client_address
from ..trust.settings import security_settings
from ..trust.signin_throttle import (
    Attempt,
    SignInBlocked,
    SignInRefused,
    check_attempt,
    signin_throttle,
)
from .audit import record
from .blueprint import bp, db, now, page, safe_next
from .i18n import gettext
from .security import ADMIN_ROLES, SESSION_ID, Actor, sign_in, sign_out
from .session_records import end_session, start_session

TOO_MANY = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
WRONG = "Sai tên đăng nhập hoặc mật khẩu."
MISMATCH = "Hai lần nhập mật khẩu mới không khớp."
NOT_ADMIN = (
    "Tài khoản {username} không có quyền vào trang quản trị (chỉ dành cho cán bộ giám "
    "sát và quản trị viên)."
)


def _form(
    target: str, username: str, error: str, status: int, *, change: bool = False
) -> tuple[str, int]:
    """The sign-in form again, with a message (`change`: with the new-password fields)."""
    return page(
        "admin/login.html", next=target, username=username, error=error, change=change
    ), status


def _own_password(password: str) -> tuple[str | None, str | None]:
    """For a first password from the site file: (the new one's hash, None), or (None, why the
    form must be shown again)."""
    new = (request.form.get("new_password") or "")[:200]
    again = (request.form.get("new_password_again") or "")[:200]
    if not new:
        return None, gettext(CHANGE_FIRST_MESSAGE)
    if new != again:
        return None, gettext(MISMATCH)
    problem = new_password_problem(password, new)
    if problem is not None:
        return None, gettext(problem[0], **problem[1])
    return hash_password(new), None


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | BaseResponse:
    """The sign-in form; on success, back to the page asked for."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return page("admin/login.html", next=target, username="", error=None), 200
    username = (request.form.get("username") or "").strip().lower()[:64]
    password = (request.form.get("password") or "")[:200]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    address = client_address(request, security_settings(app).trusted_proxies)
    attempt = Attempt(username, address, "admin", now())
    throttle = signin_throttle(app)
    try:
        credentials = check_attempt(db(), throttle, attempt, password)
    except SignInBlocked as blocked:
        body, status = _form(target, username, gettext(TOO_MANY, minutes=blocked.minutes), 429)
        return Response(body, status, headers={"Retry-After": str(blocked.retry_after)})
    except SignInRefused:
        return _form(target, username, gettext(WRONG), 401)
    own_hash = None
    if credentials.must_change:  # still the site file's first password: set one's own first
        own_hash, why = _own_password(password)
        if own_hash is None:
            throttle.release(db(), attempt)  # the password was right: the try counts nothing
            return _form(target, username, why or "", 403, change=True)
    lifetime: timedelta = app.permanent_session_lifetime
    session_id = None
    with db().write_session() as write:
        officer = confirm_officer(write, credentials)
        if officer is not None:
            throttle.succeeded(write, attempt)
            if own_hash is not None:
                set_own_password(officer, own_hash)
            if officer.role in ADMIN_ROLES:
                office_id = get_office(write).id
                detail = {"address": address}
                record(
                    write, office_id, Actor.of(officer), "signin", officer.username, now(), detail
                )
                session_id = start_session(write, officer.id, now(), lifetime)
    if officer is None:  # deactivated or given a new password while the hash was checked
        throttle.failed(db(), attempt)
        return _form(target, username, gettext(WRONG), 401)
    if session_id is None:
        return _form(target, username, gettext(NOT_ADMIN, username=officer.username), 403)
    sign_in(officer, session_id)
    return redirect(target)


@bp.post("/logout")
def logout() -> Response | BaseResponse:
    """End the session on the server, then clear the cookie."""
    session_id = session.get(SESSION_ID)
    if isinstance(session_id, str):
        with db().write_session() as write:
            end_session(write, session_id, now())
    sign_out()
    return redirect(url_for("admin.login"))
