"""A password written in the site file is a first one: each officer sets their own at the first
sign-in, and the site file never puts the first one back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.factories import make_site

AppFactory = Callable[..., Flask]
FIRST = "doi-mat-khau-ngay"
OWN = "mat-khau-cua-lan-2026"


def plain_site() -> dict[str, Any]:
    """The test site with a plain (first) password for lan, as the example site file has."""
    site = make_site()
    for officer in site["officers"]:
        if officer["username"] in ("lan", "mai"):
            officer.pop("password_hash")
            officer["password"] = FIRST
    return site


def login(client: Any, password: str, **extra: Any) -> Any:
    body = {"username": "lan", "password": password, "counter": 1, **extra}
    return client.post("/api/v1/auth/login", json=body)


def test_the_first_password_must_be_replaced_at_the_first_sign_in(make_app: AppFactory) -> None:
    app = make_app(site=plain_site())
    client = app.test_client()
    refused = login(client, FIRST)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "password_change_required"
    assert login(client, FIRST, new_password="ngan").get_json()["error"] == "unfit_password"
    same = login(client, FIRST, new_password=FIRST)
    assert (same.status_code, same.get_json()["error"]) == (422, "unfit_password")
    assert login(client, "sai-mat-khau", new_password=OWN).status_code == 401
    signed_in = login(client, FIRST, new_password=OWN)
    assert signed_in.status_code == 200 and signed_in.get_json()["token"]
    assert login(client, FIRST).status_code == 401  # the first password is gone
    assert login(client, OWN).status_code == 200

    # The server starts again with the same site file: the officer's own password stays.
    again = make_app(site=plain_site(), database=app.config["LUOT_DATABASE_URL"])
    assert login(again.test_client(), OWN).status_code == 200
    assert login(again.test_client(), FIRST).status_code == 401


def test_administration_asks_for_a_new_password_too(make_app: AppFactory) -> None:
    app = make_app(site=plain_site(), features=["display_server.admin"])
    client = app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        csrf = session["csrf_token"]
    form = {"username": "mai", "password": FIRST, "csrf_token": csrf}
    first = client.post("/admin/login", data=form)
    assert first.status_code == 403
    page = first.get_data(as_text=True)
    assert 'name="new_password"' in page and "mật khẩu ban đầu" in page
    differ = client.post(
        "/admin/login", data={**form, "new_password": OWN, "new_password_again": OWN + "x"}
    )
    assert differ.status_code == 403 and "không khớp" in differ.get_data(as_text=True)
    done = client.post(
        "/admin/login", data={**form, "new_password": OWN, "new_password_again": OWN}
    )
    assert done.status_code == 302
    assert client.get("/admin/live").status_code == 200


def test_a_password_hash_in_the_site_file_is_not_a_first_password(make_app: AppFactory) -> None:
    client = make_app().test_client()  # the test site gives hashes
    assert login(client, "mat-khau-thu").status_code == 200
