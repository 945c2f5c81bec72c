"""/download/: the counter PCs' installer page and the server's own wheel."""

from __future__ import annotations

import html
import os
import re
import subprocess
import threading
import tomllib
import zipfile

import pytest

from display_server import __version__
from display_server.cli import build_parser
from display_server.downloads.wheels import WheelShelf, source_root
from tests.servers import ROOT

WHEEL = f"luot-{__version__}-py3-none-any.whl"
BASE = "http://192.168.1.10:8080"


@pytest.fixture
def offline_app(make_app):
    """An app with /download/ whose shelf builds nothing (as when installed from a wheel)."""
    app = make_app(features=["display_server.downloads"])
    shelf = app.extensions["luot.downloads"]
    shelf.root = None
    shelf.folder.mkdir(parents=True)
    return app


def pre(page: str, name: str) -> str:
    found = re.search(rf'<pre id="{name}">(.*?)</pre>', page, re.S)
    assert found, page
    return html.unescape(found[1])


def test_the_page_gives_one_line_installs_for_the_wheel_on_offer(offline_app):
    shelf = offline_app.extensions["luot.downloads"]
    (shelf.folder / WHEEL).write_bytes(b"PK wheel bytes")
    client = offline_app.test_client()
    page = client.get("/download/", base_url=BASE).get_data(as_text=True)
    url = f"{BASE}/download/{WHEEL}"
    assert pre(page, "linux") == (
        f"python3 -m venv ~/luot && ~/luot/bin/pip install {url} && "
        f"~/luot/bin/luot counter --server {BASE}"
    )
    assert pre(page, "windows") == (
        rf"py -3 -m venv C:\Luot\venv && C:\Luot\venv\Scripts\python -m pip install {url} && "
        rf"C:\Luot\venv\Scripts\luot counter --server {BASE}"
    )
    assert "Cài ứng dụng quầy cho máy tính tại quầy" in page
    assert "Install the counter app on a counter PC" in page
    assert 'http-equiv="refresh"' not in page
    with client.get(f"/download/{WHEEL}") as response:
        assert response.status_code == 200 and response.data == b"PK wheel bytes"
        assert response.headers["Content-Type"] == "application/octet-stream"


def test_only_wheels_on_offer_are_served(offline_app):
    client = offline_app.test_client()
    for path in ("/download/luot.db", "/download/x.whl", "/download/.luot-0.1.0.whl.partial"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Không có tệp này" in response.get_data(as_text=True)
        assert "No such file" in response.get_data(as_text=True)
    assert client.get("/download/..%2Fluot.db").status_code == 404
    assert client.get("/download").status_code == 308


def test_newest_version_first(offline_app):
    shelf = offline_app.extensions["luot.downloads"]
    for version in ("0.9.0", "0.10.0", "0.2.1"):
        (shelf.folder / f"luot-{version}-py3-none-any.whl").write_bytes(b"PK")
    assert [p.name.split("-")[1] for p in shelf.wheels()] == ["0.10.0", "0.9.0", "0.2.1"]


def test_without_a_checkout_or_a_wheel_it_says_where_to_put_one(offline_app):
    page = offline_app.test_client().get("/download/").get_data(as_text=True)
    folder = str(offline_app.extensions["luot.downloads"].folder)
    assert f"vào thư mục {folder}" in page and f"into the folder {folder}" in page
    assert '<pre id="linux">' not in page


def test_the_page_never_waits_for_the_build(make_app, tmp_path):
    app = make_app(features=["display_server.downloads"])
    shelf = app.extensions["luot.downloads"]
    release, started = threading.Event(), threading.Event()

    def slow_build() -> None:
        started.set()
        release.wait()

    shelf.build = slow_build
    try:
        page = app.test_client().get("/download/").get_data(as_text=True)
        assert started.is_set()
        assert "Đang chuẩn bị gói cài đặt" in page and 'http-equiv="refresh"' in page
    finally:
        release.set()
        shelf._building.join()


def test_a_source_change_makes_the_wheel_stale(tmp_path):
    root = tmp_path / "checkout"
    for name in ("display_server", "printer", "counter_app"):
        (root / name).mkdir(parents=True)
    (root / "pyproject.toml").write_text('name = "luot"\n')
    (root / "README.md").write_text("")
    shelf = WheelShelf(tmp_path / "wheels", "0.1.0", root)
    shelf.folder.mkdir()
    wheel = shelf.folder / shelf.wheel_name
    wheel.write_bytes(b"PK")
    os.utime(wheel, (1_000_000, 2_000_000_000))
    assert shelf.is_current()
    (root / "counter_app" / "cli.py").write_text("changed")
    os.utime(root / "counter_app" / "cli.py", (1_000_000, 2_000_000_001))
    assert not shelf.is_current()


def test_the_install_line_names_a_real_command():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["luot"] == "display_server.cli:main"
    args = build_parser().parse_args(["counter", "--server", BASE])
    assert args.server == BASE


@pytest.mark.slow
def test_the_wheel_is_built_from_the_checkout_without_touching_it(tmp_path):
    root = source_root()
    assert root == ROOT
    status = ["git", "status", "--porcelain", "--ignored"]
    before = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    shelf = WheelShelf(tmp_path / "wheels", __version__, root)
    built = shelf.build()
    assert built == tmp_path / "wheels" / WHEEL, shelf.error
    assert shelf.is_current()
    with zipfile.ZipFile(built) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"luot-{__version__}.dist-info/entry_points.txt").decode()
    assert {"counter_app/cli.py", "display_server/templates/downloads/index.html"} <= names
    assert "luot = display_server.cli:main" in entry_points
    after = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout
    assert "build/" not in after.replace(before, "") and "egg-info" not in after.replace(before, "")
