"""The signed-cookie session (administration's sign-in) is not opened for the JSON API."""

from __future__ import annotations

from typing import Any

from flask import request


def test_api_requests_leave_the_cookie_session_closed(make_app: Any) -> None:
    app = make_app(SECRET_KEY="khóa-bí-mật-thử")
    interface = app.session_interface
    with app.test_request_context("/api/v1/tickets", method="POST"):
        assert interface.open_session(app, request) is None  # Flask falls back to a null session
    with app.test_request_context("/admin/"):
        opened = interface.open_session(app, request)
        assert opened is not None and not interface.is_null_session(opened)


def test_an_api_request_still_answers_and_sets_no_cookie(make_app: Any) -> None:
    client = make_app(SECRET_KEY="khóa-bí-mật-thử").test_client()
    response = client.post("/api/v1/tickets", json={"service": "A"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
