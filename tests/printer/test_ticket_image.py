"""The ticket picture: Vietnamese lines drawn, no missing glyph, a dominant number, widths."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from printer import TicketContentError, render_ticket_image
from printer.fonts import REGULAR_PATH, covered_code_points, load_font
from printer.typeset import size_for
from tests.printer.samples import SERVICES, make_content

# How the service names wrap, fixed here so a layout change shows up as a test change.
SERVICE_LINES = {
    576: {
        SERVICES[0]: ["Liên thông khai sinh – thường trú –", "BHYT trẻ em dưới 6 tuổi"],
        SERVICES[1]: ["Chứng thực"],
        SERVICES[2]: ["Đăng ký đất đai"],
    },
    384: {
        SERVICES[0]: ["Liên thông khai sinh – thường", "trú – BHYT trẻ em dưới 6 tuổi"],
        SERVICES[1]: ["Chứng thực"],
        SERVICES[2]: ["Đăng ký đất đai"],
    },
}


def reference_line(text: str, size: int, bold: bool) -> Image.Image:
    """`text` drawn alone with Pillow's own ImageDraw.text, cropped to its ink."""
    font = load_font(size, bold)
    canvas = Image.new("1", (2000, 3 * size), 1)
    ImageDraw.Draw(canvas).text((10, size), text, font=font, fill=0)
    bbox = Image.eval(canvas.convert("L"), lambda v: 255 - v).getbbox()
    assert bbox is not None
    return canvas.crop(bbox)


def find_rows(ticket: Image.Image, line: Image.Image) -> list[int]:
    """Rows where `line` appears in `ticket`, centred (±2 dots) as the layout centres lines."""
    target = line.tobytes()
    centre = (ticket.width - line.width) // 2
    hits = []
    for y in range(ticket.height - line.height + 1):
        for x in range(max(0, centre - 2), min(ticket.width - line.width, centre + 2) + 1):
            if ticket.crop((x, y, x + line.width, y + line.height)).tobytes() == target:
                hits.append(y)
    return hits


@pytest.mark.parametrize("width", [576, 384])
@pytest.mark.parametrize("service", SERVICES)
def test_vietnamese_service_name_is_drawn(width: int, service: str) -> None:
    ticket = render_ticket_image(make_content(service_name=service), width)
    size = size_for("service", width)
    rows = [
        find_rows(ticket, reference_line(part, size, True))
        for part in SERVICE_LINES[width][service]
    ]
    assert all(len(hits) == 1 for hits in rows), rows
    assert [hits[0] for hits in rows] == sorted(hits[0] for hits in rows)


def notdef_mask(font: ImageFont.FreeTypeFont) -> bytes:
    """What the font draws for a character it lacks (a box)."""
    return bytes(font.getmask("\U0001f600", mode="1"))


@pytest.mark.parametrize("bold", [False, True])
def test_no_missing_glyphs_in_vietnamese(bold: bool) -> None:
    text = "".join(SERVICES) + "Cảm ơn Quý khách! ƯU TIÊN NGƯỜI CAO TUỔI Quầy phục vụ Lấy số lúc"
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    toned = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    text += letters + letters.upper() + toned + toned.upper() + "–…₫№"
    covered = covered_code_points(bold)
    assert {ch for ch in text if ord(ch) not in covered} == set()
    font = load_font(24, bold)
    box = notdef_mask(font)
    drawn_as_box = {ch for ch in set(text) - {" "} if bytes(font.getmask(ch, mode="1")) == box}
    assert drawn_as_box == set()


def test_cmap_reader_agrees_with_freetype() -> None:
    font = ImageFont.truetype(str(REGULAR_PATH), 24)
    box = notdef_mask(font)
    covered = covered_code_points(False)
    for code in [0x41, 0x1EA0, 0x1EF9, 0x01B0, 0x20AB, 0x4E00, 0x0416, 0x0E01]:
        has_glyph = bytes(font.getmask(chr(code), mode="1")) != box
        assert has_glyph == (code in covered), hex(code)


def test_characters_missing_from_the_font_print_as_question_marks() -> None:
    with_cjk = render_ticket_image(make_content(service_name="Chứng thực 漢"))
    expected = reference_line("Chứng thực ?", size_for("service", 576), True)
    assert len(find_rows(with_cjk, expected)) == 1


@pytest.mark.parametrize("width", [384, 512, 576])
def test_picture_is_exactly_the_paper_width(width: int) -> None:
    ticket = render_ticket_image(make_content(), width)
    assert ticket.mode == "1"
    assert ticket.width == width
    assert 400 < ticket.height < 1000


def test_width_must_be_printable() -> None:
    with pytest.raises(TicketContentError):
        render_ticket_image(make_content(), 500)


def ink_runs(picture: Image.Image) -> list[tuple[int, int]]:
    """(top, height) of each run of rows holding ink."""
    inverted = Image.eval(picture.convert("L"), lambda v: 255 - v)
    runs: list[tuple[int, int]] = []
    start = None
    for y in range(picture.height + 1):
        inked = y < picture.height and inverted.crop((0, y, picture.width, y + 1)).getbbox()
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            runs.append((start, y - start))
            start = None
    return runs


@pytest.mark.parametrize("width", [384, 576])
def test_number_is_the_dominant_element(width: int) -> None:
    ticket = render_ticket_image(make_content(), width)
    runs = sorted(ink_runs(ticket), key=lambda run: run[1], reverse=True)
    qr_side = runs[0][1]  # the QR code is the tallest solid block; the number comes next
    number_height = runs[1][1]
    text_heights = [height for _, height in runs[2:]]
    assert number_height >= 0.12 * width  # ≥ 9 mm on 58 mm paper, ≥ 13 mm on 80 mm
    assert number_height > 2.5 * max(text_heights)
    assert qr_side > number_height  # the QR needs its modules; it is not text


def test_long_service_names_wrap_to_three_lines_with_an_ellipsis() -> None:
    long_name = " ".join([SERVICES[0]] * 4)
    ticket = render_ticket_image(make_content(service_name=long_name))
    short = render_ticket_image(make_content(service_name="Chứng thực"))
    pitch = round(size_for("service", 576) * 1.3)
    assert ticket.height == short.height + 2 * pitch


def test_english_labels() -> None:
    ticket = render_ticket_image(make_content(lang="en", ahead=0))
    info = size_for("info", 576)
    assert len(find_rows(ticket, reference_line("You are next", info, False))) == 1
    assert find_rows(ticket, reference_line("Lấy số lúc 08:15 ngày 25/11/2026", info, False)) == []


def test_vietnamese_labels_and_local_time() -> None:
    ticket = render_ticket_image(make_content())
    info = size_for("info", 576)
    for line in [
        "Lấy số lúc 08:15 ngày 25/11/2026",
        "Số người chờ trước Quý khách: 5",
        "Thời gian chờ dự kiến: khoảng 15 phút",
        "Quầy phục vụ: 1, 2",
    ]:
        assert len(find_rows(ticket, reference_line(line, info, False))) == 1, line
    footer = reference_line("Cảm ơn Quý khách!", size_for("footer", 576), True)
    assert len(find_rows(ticket, footer)) == 1


def test_priority_mark_adds_a_badge() -> None:
    plain = render_ticket_image(make_content())
    elderly = render_ticket_image(make_content(priority_label="Người cao tuổi"))
    assert elderly.height > plain.height + 30


def test_logo_is_drawn_at_the_top(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 300), (200, 0, 0, 255)).save(logo)
    plain = render_ticket_image(make_content())
    with_logo = render_ticket_image(make_content(logo_path=logo))
    assert with_logo.height > plain.height + 80
    top = Image.eval(with_logo.crop((0, 0, 576, 90)).convert("L"), lambda v: 255 - v)
    assert top.getbbox() is not None


def test_missing_logo_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(TicketContentError):
        render_ticket_image(make_content(logo_path=tmp_path / "none.png"))


def test_issue_time_must_be_aware() -> None:
    from datetime import datetime

    with pytest.raises(TicketContentError):
        make_content(issued_at=datetime(2026, 11, 25, 8, 15))


@pytest.mark.parametrize("width", [384, 576])
def test_long_numbers_shrink_to_fit(width: int) -> None:
    ticket = render_ticket_image(make_content(number="AB-123456"), width)
    ink = Image.eval(ticket.convert("L"), lambda v: 255 - v).getbbox()
    assert ink is not None
    assert ink[0] >= 8 and ink[2] <= width - 8
