"""One JSON error shape for the whole API: {"error": "<code>", "message": "<human text>"}.

Storage failures (a full disk, a read-only database) answer 503 `storage_unavailable`, as JSON
for the API and as a short page elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..i18n import negotiate, translate
from ..queue.errors import QueueError
from ..storage import CODE, MESSAGES, TITLE, Reason, StorageWatch, storage_failure

log = logging.getLogger(__name__)

STORAGE_WATCH = "luot.storage_watch"
HTTP_MESSAGES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Cần đăng nhập."),
    403: ("forbidden", "Không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy địa chỉ này."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
    413: ("too_large", "Nội dung gửi lên quá lớn."),
    415: ("unsupported_media_type", "Nội dung phải là JSON."),
    429: ("too_many_requests", "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
}


class ApiError(Exception):
    """An error answered as JSON; `message` is a Vietnamese catalog string with {params}."""

    def __init__(self, status: int, code: str, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params


def request_language() -> str:
    """The language of this request: ?lang=, else Accept-Language, else Vietnamese."""
    wanted = request.args.get("lang")
    if wanted in ("vi", "en"):
        return wanted
    return negotiate(request.headers.get("Accept-Language"))


def error_response(status: int, code: str, message: str, /, **params: Any) -> Response:
    """The JSON error response, translated to the request's language."""
    response = jsonify({"error": code, "message": translate(message, request_language(), **params)})
    response.status_code = status
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """Answer API errors as JSON; pages keep Flask's own handling."""

    @app.errorhandler(ApiError)
    def on_api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, **error.params)

    @app.errorhandler(QueueError)
    def on_queue_error(error: QueueError) -> Response:
        return error_response(error.status, error.code, error.message, **error.params)

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> Response | HTTPException:
        if not _is_api():
            return error
        status = error.code or 500
        code, message = HTTP_MESSAGES.get(status, ("http_error", "Yêu cầu không hợp lệ."))
        response = error_response(status, code, message)
        valid_methods = getattr(error, "valid_methods", None)
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception) -> Response:
        reason = storage_failure(error)
        if reason is not None:
            storage_watch().failed()
            # One line, without the statement and its parameters (personal data).
            summary = (str(error) or type(error).__name__).splitlines()[0][:300]
            log.error(
                "storage unavailable (%s) on %s %s: %s",
                reason,
                request.method,
                request.path,
                summary,
            )
            return storage_response(reason)
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Lỗi máy chủ. Thao tác chưa được thực hiện.")


def storage_watch() -> StorageWatch:
    """This app's storage probe (health?deep=1)."""
    extensions = current_app.extensions
    watch = extensions.get(STORAGE_WATCH)
    if watch is None:
        watch = extensions.setdefault(STORAGE_WATCH, StorageWatch(extensions["luot.db"]))
    assert isinstance(watch, StorageWatch)
    return watch


def storage_response(reason: Reason) -> Response:
    """503 for a write storage refused: JSON for the API, a page people can read elsewhere."""
    if _is_api():
        return error_response(503, CODE, MESSAGES[reason])
    language = request_language()
    page = render_template(
        "storage_unavailable.html",
        lang=language,
        title=translate(TITLE, language),
        message=translate(MESSAGES[reason], language),
    )
    return Response(page, status=503, mimetype="text/html")
