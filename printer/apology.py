"""The apology slip ("phiếu xin lỗi"): printed for a citizen who waited past the promised time.

`render_apology_image` draws the slip as a 1-bit picture with the ticket fonts;
`apology_bytes` is what the kiosk printer receives (ESC @, the picture in raster mode, a cut).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from escpos.printer import Dummy
from PIL import Image, ImageDraw

from .content import nfc
from .errors import TicketContentError
from .raster import RasterPicture
from .text import CENTRE, ESC_INIT, LEFT
from .typeset import LINE_PITCH, line_mask, size_for, wrapped

WHITE, BLACK = 1, 0

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "PHIẾU XIN LỖI",
        "to": "Kính gửi công dân có số thứ tự",
        "body": "{unit} chân thành xin lỗi Quý khách vì thời gian chờ đã vượt quá thời gian "
        "cam kết.",
        "unit": "Bộ phận Một cửa",
        "waited": "Thời gian chờ: {waited} phút (cam kết: {target} phút)",
        "service": "Dịch vụ: {service}",
        "reason": "Lý do: {reason}",
        "promise": "Chúng tôi sẽ khắc phục để phục vụ Quý khách tốt hơn.",
        "printed": "{time} ngày {date}",
        "thanks": "Trân trọng cảm ơn Quý khách!",
    },
    "en": {
        "title": "OUR APOLOGIES",
        "to": "To the citizen holding number",
        "body": "{unit} sincerely apologises: your wait has been longer than we promised.",
        "unit": "The one-stop desk",
        "waited": "Your wait: {waited} min (promised: {target} min)",
        "service": "Service: {service}",
        "reason": "Reason: {reason}",
        "promise": "We will do better to serve you.",
        "printed": "{time}, {date}",
        "thanks": "Thank you for your patience!",
    },
}


@dataclass(frozen=True)
class ApologyContent:
    """Everything printed on one apology slip; `printed_at` is aware, in the office's zone."""

    office_name: str
    unit: str
    number: str
    service_name: str
    waited_minutes: int
    target_minutes: int | None
    reason: str
    printed_at: datetime
    lang: str = "vi"

    def __post_init__(self) -> None:
        if self.printed_at.tzinfo is None:
            raise TicketContentError("printed_at must be an aware datetime (the office's time)")
        if self.lang not in LABELS:
            raise TicketContentError(f"unknown slip language {self.lang!r}; use 'vi' or 'en'")
        if not self.number.strip() or not self.reason.strip():
            raise TicketContentError("an apology slip needs a number and a reason")

    def label(self, key: str, **values: object) -> str:
        """The label `key` in the slip's language, filled with `values`."""
        return LABELS[self.lang][key].format(**values)

    def lines(self) -> list[tuple[str, str, bool]]:
        """(text, type role, bold) from top to bottom, the number excluded."""
        unit = self.unit.strip() or self.label("unit")
        waited = (
            self.label("waited", waited=self.waited_minutes, target=self.target_minutes)
            if self.target_minutes is not None
            else None
        )
        at = self.printed_at
        rows: list[tuple[str, str, bool] | None] = [
            (self.label("body", unit=unit), "info", False),
            (self.label("service", service=self.service_name), "info", False),
            (waited, "info", True) if waited else None,
            (self.label("reason", reason=self.reason), "info", False),
            (self.label("promise"), "info", False),
        ]
        rows.append(
            (self.label("printed", time=f"{at:%H:%M}", date=f"{at:%d/%m/%Y}"), "scan", False)
        )
        return [row for row in rows if row is not None]


class _Canvas:
    """Centred lines drawn top to bottom on a tall white page, cropped at the end."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.inner = width - 2 * max(8, width // 36)
        self.image = Image.new("1", (width, 2400), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 0

    def text(
        self,
        line: str,
        role: str,
        *,
        bold: bool = False,
        max_lines: int = 4,
        size: int | None = None,
    ) -> None:
        size = size or size_for(role, self.width)
        for part in wrapped(nfc(line), size, bold, self.inner, max_lines):
            mask, _left, top = line_mask(part, size, bold)
            self.draw.draw.draw_bitmap(
                ((self.width - mask.size[0]) // 2, self.y + top), mask, BLACK
            )
            self.y += round(size * LINE_PITCH)

    def rule(self) -> None:
        left = (self.width - self.inner) // 2
        self.draw.rectangle((left, self.y, left + self.inner - 1, self.y + 1), fill=BLACK)
        self.y += 2

    def gap(self, dots: int) -> None:
        self.y += dots

    def done(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y))


def render_apology_image(content: ApologyContent, width_dots: int = 576) -> Image.Image:
    """The slip as printed: a mode "1" picture `width_dots` wide (58 mm: 384, 80 mm: 576)."""
    if width_dots < 256 or width_dots % 16:
        raise TicketContentError("paper width must be a multiple of 16 dots ≥ 256")
    scale = width_dots / 576
    pen = _Canvas(width_dots)
    pen.gap(4)
    pen.text(content.office_name.upper(), "office", bold=True, max_lines=2)
    if content.unit.strip():
        pen.text(content.unit, "unit", max_lines=2)
    pen.gap(4)
    pen.rule()
    pen.gap(round(14 * scale))
    pen.text(
        content.label("title"),
        "service",
        bold=True,
        max_lines=1,
        size=round(size_for("service", width_dots) * 1.25),
    )
    pen.gap(round(8 * scale))
    pen.text(content.label("to"), "label")
    pen.text(
        content.number,
        "number",
        bold=True,
        max_lines=1,
        size=round(size_for("number", width_dots) * 0.9),
    )
    pen.gap(round(12 * scale))
    for line, role, bold in content.lines():
        pen.text(line, role, bold=bold)
        pen.gap(round(6 * scale))
    pen.gap(round(8 * scale))
    pen.rule()
    pen.gap(round(10 * scale))
    pen.text(content.label("thanks"), "footer", bold=True)
    pen.gap(round(8 * scale))
    return pen.done()


def apology_bytes(content: ApologyContent, width_dots: int = 576) -> bytes:
    """Everything sent to the printer for one slip: ESC @ first, the cut last."""
    picture = RasterPicture(render_apology_image(content, width_dots))
    cut = Dummy()
    cut.cut()
    return bytes(ESC_INIT + CENTRE + picture.rows() + LEFT + cut.output)
