"""A ticket's picture and the exact bytes sent for it, in raster mode (default) or text mode."""

from __future__ import annotations

from typing import Literal

from escpos.printer import Dummy
from PIL import Image

from .content import TicketContent
from .errors import PrinterConfigError
from .layout import draw_ticket
from .qr import native_qr_bytes
from .raster import RasterPicture
from .text import CENTRE, DEFAULT_CODEPAGE, ESC_INIT, LEFT, text_ticket_bytes

Mode = Literal["raster", "text"]


def render_ticket_image(content: TicketContent, width_dots: int = 576) -> Image.Image:
    """The ticket as printed in raster mode: a mode "1" picture `width_dots` wide, QR included."""
    return draw_ticket(content, width_dots, draw_qr=True).image


def ticket_bytes(
    content: TicketContent,
    *,
    mode: Mode = "raster",
    width_dots: int = 576,
    codepage: int = DEFAULT_CODEPAGE,
    native_qr: bool = True,
) -> bytes:
    """Everything sent to the printer for one ticket: ESC @ first, the cut last.

    Raster mode prints `render_ticket_image` dot for dot; with `native_qr` the printer draws the
    QR code itself from its command instead of receiving it as dots. Text mode uses the printer's
    fonts and code page `codepage` (CP1258).
    """
    if mode == "text":
        return text_ticket_bytes(content, width_dots, codepage)
    if mode != "raster":
        raise PrinterConfigError(f"unknown print mode {mode!r}; use 'raster' or 'text'")
    layout = draw_ticket(content, width_dots, draw_qr=not native_qr)
    picture = RasterPicture(layout.image)
    out = bytearray(ESC_INIT + CENTRE)
    for band in layout.bands:
        if band.kind == "qr" and native_qr:
            out += native_qr_bytes(layout.qr.url, layout.qr.module_dots, layout.qr.ec)
        else:
            out += picture.rows(band.top, band.bottom, coarse=band.kind == "coarse")
    cut = Dummy()
    cut.cut()
    return bytes(out + LEFT + cut.output)
