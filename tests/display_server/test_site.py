"""The site file: provisioning is idempotent, passwords are hashed, mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from display_server.app import create_app
from display_server.cli import main
from display_server.models import Counter, CounterService, Officer, Service
from display_server.site import SiteError, load_site

EXAMPLE = Path(__file__).resolve().parents[2] / "display_server" / "examples" / "site.toml"


def counts(app):
    with app.extensions["luot.db"].read_session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Service, Counter, CounterService, Officer)
        )


def test_example_site_provisions_idempotently_with_hashed_passwords(tmp_path):
    config = {"LUOT_DATA_DIR": tmp_path, "LUOT_SITE_FILE": EXAMPLE, "LUOT_FEATURES": []}
    first = create_app(config)
    assert counts(first) == (6, 5, 8, 3)
    second = create_app(config)
    assert counts(second) == (6, 5, 8, 3)
    with second.extensions["luot.db"].read_session() as session:
        lan = session.scalars(select(Officer).where(Officer.username == "lan")).one()
        service = session.scalars(select(Service).where(Service.code == "B")).one()
    assert lan.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert "doi-mat-khau-ngay" not in lan.password_hash
    assert service.name == "Liên thông khai sinh – thường trú – BHYT trẻ em dưới 6 tuổi"
    assert service.follow_up == ["E", "F"]  # the 3-in-1 is bundled: one number, three desks
    for app in (first, second):
        app.extensions["luot.db"].dispose()


def test_editing_the_site_file_updates_rows_in_place(tmp_path):
    site = tmp_path / "site.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    site.write_text(text, encoding="utf-8")
    app = create_app({"LUOT_DATA_DIR": tmp_path, "LUOT_SITE_FILE": site, "LUOT_FEATURES": []})
    app.extensions["luot.db"].dispose()
    site.write_text(
        text.replace('services = ["A", "B"]', 'services = ["B"]').replace(
            'name = "Chứng thực"', 'name = "Chứng thực bản sao"'
        ),
        encoding="utf-8",
    )
    app = create_app({"LUOT_DATA_DIR": tmp_path, "LUOT_SITE_FILE": site, "LUOT_FEATURES": []})
    counters = app.test_client().get("/api/v1/counters").get_json()["counters"]
    services = app.test_client().get("/api/v1/services").get_json()["services"]
    assert counters[0]["services"] == ["B"]
    assert [s["name"] for s in services if s["code"] == "C"] == ["Chứng thực bản sao"]
    assert counts(app) == (6, 5, 7, 3)
    app.extensions["luot.db"].dispose()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[office]\nunit = 'x'\n", "[office] needs a name"),
        ("[office]\nname = 'X'\ntimezone = 'Mars/Olympus'\n", "unknown timezone"),
        (
            "[office]\nname='X'\n[[services]]\ncode='a1'\nname='x'\n",
            "code must be 1–3 capital letters",
        ),
        (
            "[office]\nname='X'\n[[services]]\ncode='A'\nname='x'\nissue_start='7h'\n",
            "expected a time",
        ),
        (
            "[office]\nname='X'\n[[counters]]\nnumber=1\nservices=['Q']\n",
            "serves unknown service Q",
        ),
        ("[office]\nname='X'\n[[officers]]\nusername='a'\nfull_name='A'\n", "needs password"),
        ("[office\nname='X'\n", "not valid TOML"),
    ],
)
def test_site_mistakes_are_named(tmp_path, text, message):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_site(path)


def test_cli_reports_a_bad_site_file_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "site.toml"
    path.write_text("[office]\nunit = 'x'\n", encoding="utf-8")
    assert main(["provision", "--site", str(path), "--data-dir", str(tmp_path)]) == 2
    assert "needs a name" in capsys.readouterr().err


def test_an_unchanged_site_file_does_not_undo_administration_edits(tmp_path):
    config = {"LUOT_DATA_DIR": tmp_path, "LUOT_SITE_FILE": EXAMPLE, "LUOT_FEATURES": []}
    app = create_app(config)
    with app.extensions["luot.db"].write_session() as session:
        service = session.scalars(select(Service).where(Service.code == "C")).one()
        service.name = "Chứng thực bản sao từ bản chính"  # as /admin would
    app.extensions["luot.db"].dispose()
    restarted = create_app(config)
    names = {
        s["code"]: s["name"]
        for s in restarted.test_client().get("/api/v1/services").get_json()["services"]
    }
    assert names["C"] == "Chứng thực bản sao từ bản chính"
    restarted.extensions["luot.db"].dispose()
