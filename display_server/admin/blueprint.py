"""The blueprints (pages under /admin, the public page, API routes) and what every page needs:
the signed-in officer, role and CSRF checks, the clock, page rendering and error pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from ..api.context import get_db
from ..api.context import now as clock_now
from ..db import Database
from ..queue.lookups import get_office
from .forms import Problem
from .i18n import gettext, language, remember_language
from .security import (
    ADMIN_ROLES,
    SESSION_ID,
    SESSION_STAMP,
    Actor,
    csrf_ok,
    csrf_token,
    password_stamp,
    sign_out,
)
from .session_records import live_officer

STATIC = Path(__file__).resolve().parent.parent / "static" / "admin"
OPEN_ENDPOINTS = {"admin.login", "admin.static"}

bp = Blueprint(
    "admin", __name__, url_prefix="/admin", static_folder=str(STATIC), static_url_path="/static"
)
public_bp = Blueprint("public", __name__)
api_bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")


def db() -> Database:
    """The app's database."""
    return get_db()


def now() -> datetime:
    """The current time (the tests' clock when one is set)."""
    return clock_now()


def actor() -> Actor:
    """The signed-in officer of this request (pages behind the guard only)."""
    signed_in: Actor = g.luot_actor
    return signed_in


def _signed_in() -> Actor | None:
    """The officer of the cookie's session, while its server record is live and the officer
    active with the same password."""
    session_id = session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    with db().read_session() as read:
        officer = live_officer(read, session_id, now())
        if officer is None or session.get(SESSION_STAMP) != password_stamp(officer):
            sign_out()
            return None
        return Actor.of(officer)


@bp.before_request
def guard() -> BaseResponse | None:
    """Every /admin request: language, CSRF on POST, then sign-in and role."""
    remember_language()
    if request.method == "POST" and not csrf_ok():
        abort(400, description="csrf")
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    who = _signed_in()
    if who is None:
        if request.path.endswith(".json") or request.is_json:
            abort(401)
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if who.role not in ADMIN_ROLES:
        abort(403)
    g.luot_actor = who
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    """Administration pages hold personal data: never cached, never framed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


ERROR_TEXT = {
    400: (
        "Yêu cầu không hợp lệ",
        "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ. Hãy tải lại trang và thử lại.",
    ),
    401: ("Cần đăng nhập", "Phiên làm việc đã hết. Hãy đăng nhập lại."),
    403: ("Không có quyền", "Trang quản trị chỉ dành cho cán bộ giám sát và quản trị viên."),
    404: ("Không tìm thấy", "Không có trang hoặc mục này."),
    405: ("Không hỗ trợ", "Thao tác này không được hỗ trợ tại đây."),
}


@bp.errorhandler(HTTPException)
def error_page(error: HTTPException) -> tuple[str | Response, int]:
    """Errors under /admin as pages (JSON for the dashboard's fetches)."""
    status = error.code or 500
    title, text = ERROR_TEXT.get(status, ("Lỗi", "Đã có lỗi xảy ra."))
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        from flask import jsonify

        response = jsonify({"error": title, "message": gettext(text)})
        return response, status
    return page("admin/error.html", title=title, text=text, status_code=status), status


def page(template: str, **context: Any) -> str:
    """Render an administration page with the common context."""
    return render_template(template, **context)


def problem_text(problem: Problem, label: str = "") -> str:
    """A form problem in the page's language."""
    params = {
        key: gettext(value) if key == "label" and isinstance(value, str) else value
        for key, value in problem.params.items()
    }
    params.setdefault("label", gettext(label) if label else "")
    return gettext(problem.message).format(**params)


@bp.context_processor
@public_bp.context_processor
def template_context() -> dict[str, Any]:
    """Names every admin template can use."""

    def problems_text(problems: Mapping[str, Problem], labels: Mapping[str, str]) -> dict[str, str]:
        return {name: problem_text(p, labels.get(name, "")) for name, p in problems.items()}

    def lang_url(code: str) -> str:
        if request.endpoint is None:
            return f"?lang={code}"
        args = {**(request.view_args or {}), **request.args.to_dict(), "lang": code}
        return url_for(request.endpoint, **args)

    return {
        "_": gettext,
        "lang_url": lang_url,
        "lang": language(),
        "csrf_token": csrf_token,
        "current_actor": g.get("luot_actor"),
        "problems_text": problems_text,
        "problem_text": problem_text,
        "office_name": _office_name(),
    }


def _office_name() -> str:
    cached = g.get("luot_office_name")
    if cached is None:
        with db().read_session() as read:
            cached = g.luot_office_name = get_office(read).name
    return str(cached)


def safe_next(target: str | None) -> str:
    """A local /admin path to go back to after signing in, never another site."""
    if target and target.startswith("/admin") and "//" not in target and "\\" not in target:
        return target
    return url_for("admin.live")


def app_extension(name: str) -> Any:
    """A feature's extension object, if that feature is on."""
    return current_app.extensions.get(name)
