"""QR codes drawn on the server as SVG, so the kiosk needs no internet and no script for them."""

from __future__ import annotations

from functools import lru_cache

import qrcode
import qrcode.image.svg


@lru_cache(maxsize=256)
def qr_svg(data: str) -> str:
    """The SVG markup of a QR code for `data`: black on white, medium error correction."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=3,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(data)
    code.make(fit=True)
    svg: str = code.make_image().to_string(encoding="unicode")
    return svg
