"""The ticket's QR code: its size, its picture (previews, image fallback) and its native command."""

from __future__ import annotations

import functools
from typing import Any

import qrcode
from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q
from escpos.printer import Dummy
from PIL import Image

QR_ERROR_CORRECTION = QR_ECLEVEL_M
_QRCODE_LEVELS = {
    QR_ECLEVEL_L: qrcode.constants.ERROR_CORRECT_L,
    QR_ECLEVEL_M: qrcode.constants.ERROR_CORRECT_M,
    QR_ECLEVEL_Q: qrcode.constants.ERROR_CORRECT_Q,
    QR_ECLEVEL_H: qrcode.constants.ERROR_CORRECT_H,
}


def _code(url: str, ec: int) -> Any:
    """A QR code holding `url` as bytes, the way a printer's own encoder stores it."""
    code = qrcode.QRCode(version=None, error_correction=_QRCODE_LEVELS[ec], box_size=1, border=0)
    code.add_data(url.encode("utf-8"), optimize=0)
    return code


def qr_modules(url: str, ec: int = QR_ERROR_CORRECTION) -> int:
    """Modules per side of the smallest symbol for `url` (cheap: no mask is evaluated)."""
    version: int = _code(url, ec).best_fit()
    return 17 + 4 * version


def module_dots_for(modules: int, target_dots: int) -> int:
    """Dots per module so the symbol is about `target_dots` wide (3 to 8, what phones read)."""
    return max(3, min(8, target_dots // modules))


@functools.lru_cache(maxsize=64)
def _matrix_image(url: str, ec: int) -> Image.Image:
    """The symbol at one dot per module, black modules 0 on white 1, no quiet zone."""
    code = _code(url, ec)
    code.make(fit=True)
    rows: list[list[bool]] = code.modules
    matrix = Image.new("1", (len(rows), len(rows)), 1)
    matrix.putdata([0 if dark else 1 for row in rows for dark in row])
    return matrix


def qr_image(url: str, module_dots: int, ec: int = QR_ERROR_CORRECTION) -> Image.Image:
    """The symbol as a mode "1" picture, `module_dots` dots per module."""
    matrix = _matrix_image(url, ec)
    side = matrix.width * module_dots
    return matrix.resize((side, side), Image.Resampling.NEAREST)


def native_qr_bytes(url: str, module_dots: int, ec: int = QR_ERROR_CORRECTION) -> bytes:
    """The GS ( k commands that make the printer draw the symbol itself (about 70 bytes)."""
    commands = Dummy()
    commands.qr(url, ec=ec, size=module_dots, native=True)
    output: bytes = commands.output
    return output
