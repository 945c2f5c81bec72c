"""/download/: the counter app's installer for counter PCs, served by the server itself.

The page gives one-line install commands for Windows and Linux that install this server's own
wheel (see wheels.py), built on the page's first visit; pip fetches the libraries it depends
on from the package index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    send_from_directory,
)

from .. import __version__
from ..i18n import translate
from .wheels import WheelShelf, source_root

EXTENSION_KEY = "luot.downloads"
WINDOWS_VENV = r"C:\Luot\venv"
LINUX_VENV = "~/luot"

bp = Blueprint("downloads", __name__)


def shelf(app: Flask) -> WheelShelf:
    """The app's wheel shelf."""
    found: WheelShelf = app.extensions[EXTENSION_KEY]
    return found


def both(message: str, **params: Any) -> dict[str, str]:
    """A message in Vietnamese and in English, for a page that shows both."""
    return {"vi": translate(message, "vi", **params), "en": translate(message, "en", **params)}


def install_lines(base: str, wheel: str) -> dict[str, str]:
    """The one-line install-and-run commands for a counter PC, by system."""
    url = f"{base}/download/{wheel}"
    return {
        "windows": (
            f"py -3 -m venv {WINDOWS_VENV} && {WINDOWS_VENV}\\Scripts\\python -m pip install "
            f"{url} && {WINDOWS_VENV}\\Scripts\\luot counter --server {base}"
        ),
        "linux": (
            f"python3 -m venv {LINUX_VENV} && {LINUX_VENV}/bin/pip install {url} && "
            f"{LINUX_VENV}/bin/luot counter --server {base}"
        ),
    }


@bp.get("/download/")
def index() -> str:
    """The install page: commands for Windows and Linux, and the files on offer."""
    wheels = shelf(current_app)
    wheels.ensure_built()  # starts a build if needed, in the background
    base = request.host_url.rstrip("/")
    offered = wheels.wheels()
    notice = None
    building = wheels.building and not wheels.is_current()
    if building:
        notice = both("Đang chuẩn bị gói cài đặt. Hãy tải lại trang này sau một phút.")
    elif wheels.error:
        notice = both("Không tạo được gói cài đặt: {error}", error=wheels.error)
    elif not offered:
        notice = both(
            "Máy chủ này không chạy từ mã nguồn nên không tự tạo được gói cài đặt. "
            "Hãy chép tệp luot-….whl đã dùng để cài máy chủ vào thư mục {folder}.",
            folder=str(wheels.folder),
        )
    return render_template(
        "downloads/index.html",
        text=both,
        notice=notice,
        building=building,
        offered=[path.name for path in offered],
        lines=install_lines(base, offered[0].name) if offered else None,
        base=base,
    )


@bp.get("/download/<name>")
def wheel_file(name: str) -> Response:
    """One of the wheels on offer."""
    wheels = shelf(current_app)
    if name not in {path.name for path in wheels.wheels()}:
        message = both("Không có tệp này. Xem danh sách ở /download/.")
        return Response(
            f"{message['vi']}\n{message['en']}\n", 404, mimetype="text/plain; charset=utf-8"
        )
    return send_from_directory(
        wheels.folder, name, mimetype="application/octet-stream", as_attachment=True
    )


def init_app(app: Flask) -> None:
    """Register /download/ (the wheel is built on the first visit, not at every start)."""
    folder = Path(app.config["LUOT_DATA_DIR"]) / "wheels"
    app.extensions[EXTENSION_KEY] = WheelShelf(folder, __version__, source_root())
    app.register_blueprint(bp)
    app.config.setdefault("LUOT_PAGES", []).append(("download", "/download/"))
