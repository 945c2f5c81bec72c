"""Draws a ticket as a 1-bit picture: header, service, a very large number, details, QR, footer.

The picture is cut into horizontal bands that the raster encoder sends in different ways:
"dots" as they are, "coarse" (the number: drawn at half resolution, each pixel doubled, so it
can be sent with GS v 0's quadruple mode for a quarter of the bytes) and "qr".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw

from . import content as text
from .content import TicketContent
from .errors import TicketContentError
from .fonts import printable
from .qr import QR_ERROR_CORRECTION, module_dots_for, qr_image, qr_modules
from .typeset import LINE_PITCH, line_mask, size_for, wrapped

WHITE, BLACK = 1, 0
MIN_WIDTH = 256


@dataclass(frozen=True)
class Band:
    """Rows `top` to `bottom` (exclusive) of the ticket picture and how they are sent."""

    kind: Literal["dots", "coarse", "qr"]
    top: int
    bottom: int


@dataclass(frozen=True)
class QrPlacement:
    """The QR symbol's content and size; it is centred in the "qr" band."""

    url: str
    modules: int
    module_dots: int
    ec: int = QR_ERROR_CORRECTION

    @property
    def side(self) -> int:
        """Width and height of the symbol in dots."""
        return self.modules * self.module_dots


@dataclass(frozen=True)
class TicketLayout:
    """The drawn ticket (its QR band left white unless `qr_drawn`) and its bands, top to bottom."""

    image: Image.Image
    bands: tuple[Band, ...]
    qr: QrPlacement
    qr_drawn: bool


class _Pen:
    """Draws centred lines top to bottom on a tall white canvas and records the bands."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.inner = width - 2 * max(8, width // 36)
        self.canvas = Image.new("1", (width, 3000), WHITE)
        self.draw = ImageDraw.Draw(self.canvas)
        self.y = 0
        self.ink_bottom = 0  # a descender may reach below the last line's pitch
        self.bands: list[Band] = []

    def lines(self, line: str, role: str, *, bold: bool = False, max_lines: int = 2) -> None:
        """Wrap and draw `line` centred, one line pitch per line."""
        size = size_for(role, self.width)
        for part in wrapped(line, size, bold, self.inner, max_lines):
            mask, _left, top = line_mask(part, size, bold)
            x = (self.width - mask.size[0]) // 2
            self.draw.draw.draw_bitmap((x, self.y + top), mask, BLACK)
            self.ink_bottom = max(self.ink_bottom, self.y + top + mask.size[1])
            self.y += round(size * LINE_PITCH)

    def number(self, number: str) -> None:
        """The ticket number, as large as the paper allows, in its own "coarse" band."""
        number = printable(text.nfc(number), True)
        half_width = self.width // 2
        size = size_for("number", self.width)
        mask = line_mask(number, size, True)[0]
        while mask.size[0] > self.inner // 2 and size > 12:  # a long number: shrink to fit
            size = min(size - 1, size * (self.inner // 2) // mask.size[0])
            mask = line_mask(number, size, True)[0]
        small = Image.new("1", mask.size, WHITE)
        ImageDraw.Draw(small).draw.draw_bitmap((0, 0), mask, BLACK)
        x = 2 * ((half_width - mask.size[0]) // 2)  # even, so pixel pairs stay aligned
        self._band("dots")
        doubled = small.resize((2 * small.width, 2 * small.height), Image.Resampling.NEAREST)
        self.canvas.paste(doubled, (x, self.y))
        self.y += 2 * small.height
        self._band("coarse")

    def badge(self, line: str) -> None:
        """White text on a black box (the priority mark)."""
        size = size_for("priority", self.width)
        part = wrapped(line, size, True, self.inner - size, 1)[0]
        mask = line_mask(part, size, True)[0]
        pad = size // 3
        width, height = mask.size[0] + 2 * pad, mask.size[1] + 2 * pad
        x = (self.width - width) // 2
        self.draw.rectangle((x, self.y, x + width - 1, self.y + height - 1), fill=BLACK)
        self.draw.draw.draw_bitmap((x + pad, self.y + pad), mask, WHITE)
        self.y += height

    def rule(self) -> None:
        """A thin line across the ticket."""
        left = (self.width - self.inner) // 2
        self.draw.rectangle((left, self.y, left + self.inner - 1, self.y + 1), fill=BLACK)
        self.y += 2

    def qr(self, placement: QrPlacement, draw: bool) -> None:
        """The QR symbol centred in its own band (left white when the printer draws it)."""
        self._band("dots")
        if draw:
            symbol = qr_image(placement.url, placement.module_dots, placement.ec)
            self.canvas.paste(symbol, ((self.width - symbol.width) // 2, self.y))
        self.y += placement.side
        self._band("qr")

    def paste(self, picture: Image.Image) -> None:
        """A picture centred at the current line."""
        self.canvas.paste(picture, ((self.width - picture.width) // 2, self.y))
        self.y += picture.height

    def gap(self, dots: int) -> None:
        """White space."""
        self.y += dots

    def _band(self, kind: Literal["dots", "coarse", "qr"]) -> None:
        """Close the band that ends at the current line."""
        top = self.bands[-1].bottom if self.bands else 0
        if self.y > top:
            self.bands.append(Band(kind, top, self.y))

    def finish(self, qr: QrPlacement, qr_drawn: bool) -> TicketLayout:
        """The cropped picture and its bands."""
        self.y = max(self.y, self.ink_bottom)
        self._band("dots")
        image = self.canvas.crop((0, 0, self.width, self.y))
        return TicketLayout(image, tuple(self.bands), qr, qr_drawn)


def draw_ticket(
    content: TicketContent, width_dots: int = 576, draw_qr: bool = True
) -> TicketLayout:
    """Lay out and draw `content` for paper `width_dots` wide (58 mm: 384, 80 mm: 576)."""
    if width_dots < MIN_WIDTH or width_dots % 16:
        raise TicketContentError(f"paper width must be a multiple of 16 dots ≥ {MIN_WIDTH}")
    pen = _Pen(width_dots)
    scale = width_dots / 576
    pen.gap(4)
    if content.reprint:
        pen.badge(text.label(content, "reprint"))
        pen.gap(round(10 * scale))
    if content.logo_path is not None:
        pen.paste(_logo(content.logo_path, pen.inner, round(96 * scale)))
        pen.gap(8)
    pen.lines(content.office_name.upper(), "office", bold=True)
    pen.lines(content.unit, "unit")
    pen.gap(4)
    pen.rule()
    pen.gap(round(12 * scale))
    pen.lines(content.service_name, "service", bold=True, max_lines=3)
    pen.gap(round(10 * scale))
    pen.lines(text.label(content, "number"), "label")
    pen.number(content.number)
    pen.gap(round(20 * scale))
    priority = text.priority_text(content)
    if priority:
        pen.badge(priority)
        pen.gap(round(16 * scale))
    for line in text.info_lines(content):
        pen.lines(line, "info")
    modules = qr_modules(content.status_url)
    target = max(150, round(width_dots * 0.3))
    placement = QrPlacement(content.status_url, modules, module_dots_for(modules, target))
    quiet_zone = 3 * placement.module_dots  # white rows cost a byte each: keep phones happy
    pen.gap(quiet_zone)
    pen.qr(placement, draw_qr)
    pen.gap(quiet_zone)
    pen.lines(text.label(content, "scan"), "scan")
    pen.gap(round(6 * scale))
    pen.lines(content.footer, "footer", bold=True)
    return pen.finish(placement, draw_qr)


def _logo(path: Path, max_width: int, max_height: int) -> Image.Image:
    """The logo scaled to fit and dithered to black and white."""
    try:
        return _load_logo(str(path), path.stat().st_mtime_ns, max_width, max_height)
    except OSError as exc:
        raise TicketContentError(f"cannot read the logo {path}: {exc}") from exc


@functools.lru_cache(maxsize=8)
def _load_logo(path: str, _mtime: int, max_width: int, max_height: int) -> Image.Image:
    """Load, flatten on white and dither once per file version and size."""
    with Image.open(path) as source:
        rgba = source.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    flat.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
    return flat.convert("L").convert("1")
