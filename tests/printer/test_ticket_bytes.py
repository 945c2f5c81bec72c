"""A ticket's exact bytes: raster mode redraws `render_ticket_image` dot for dot; text is CP1258."""

from __future__ import annotations

import unicodedata

import pytest

from printer import encode_cp1258, render_ticket_image, ticket_bytes
from tests.printer.escpos_reader import decode_ticket, same_pixels, split_commands
from tests.printer.samples import SERVICES, make_content

CUT = b"\x1dV"


@pytest.mark.parametrize("native_qr", [True, False])
@pytest.mark.parametrize("width", [384, 512, 576])
def test_raster_bytes_redraw_the_ticket_image(width: int, native_qr: bool) -> None:
    content = make_content(priority_label="Phụ nữ mang thai")
    data = ticket_bytes(content, width_dots=width, native_qr=native_qr)
    decoded = decode_ticket(data, width)
    assert same_pixels(decoded.image(), render_ticket_image(content, width))
    assert all(0 <= band.x and band.x + band.width_dots <= width for band in decoded.bands)


def test_job_starts_with_esc_at_and_ends_with_one_cut() -> None:
    commands = list(split_commands(ticket_bytes(make_content())))
    assert commands[0] == b"\x1b@"
    assert commands[-1].startswith(CUT)
    assert sum(command.startswith(CUT) for command in commands) == 1


def test_native_qr_carries_the_status_url() -> None:
    content = make_content()
    commands = list(split_commands(ticket_bytes(content)))
    stored = [c for c in commands if c.startswith(b"\x1d(k") and c[6:7] == b"P"]
    assert [c[8:] for c in stored] == [content.status_url.encode()]
    images_only = ticket_bytes(content, native_qr=False)
    assert b"\x1d(k" not in b"".join(c[:3] for c in split_commands(images_only))


def test_an_80mm_ticket_stays_under_20_kb() -> None:
    content = make_content(priority_label="Người cao tuổi", counters=["1", "2", "3", "4"])
    assert len(ticket_bytes(content, width_dots=576)) <= 20_000
    assert len(ticket_bytes(content, width_dots=576, native_qr=False)) <= 20_000


def test_the_number_is_sent_at_quadruple_density() -> None:
    bands = [c for c in split_commands(ticket_bytes(make_content())) if c.startswith(b"\x1dv0")]
    quadruple = [c for c in bands if c[3] == 3]
    assert quadruple and max(c[6] | c[7] << 8 for c in quadruple) >= 40


# -- text mode -------------------------------------------------------------------------------

LETTERS = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # none huyền sắc hỏi ngã nặng


@pytest.mark.parametrize("letter", LETTERS + [letter.upper() for letter in LETTERS])
def test_cp1258_round_trips_every_letter_with_every_tone(letter: str) -> None:
    for tone in TONES:
        text = unicodedata.normalize("NFC", letter + tone)
        encoded = encode_cp1258(text)
        assert b"?" not in encoded, text
        assert len(encoded) == (1 if not tone else 2)  # base letter + tone mark, one byte each
        assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == text


@pytest.mark.parametrize("service", SERVICES)
def test_cp1258_round_trips_service_names(service: str) -> None:
    assert unicodedata.normalize("NFC", encode_cp1258(service).decode("cp1258")) == service


def test_text_mode_selects_the_code_page_and_prints_the_service() -> None:
    content = make_content(service_name="Đăng ký đất đai")
    data = ticket_bytes(content, mode="text", codepage=27)
    commands = list(split_commands(data))
    assert commands[:2] == [b"\x1b@", b"\x1bt\x1b"]
    assert encode_cp1258("Đăng ký đất đai") in data
    assert commands[-1].startswith(CUT)
    assert len(data) < 1500


def test_text_mode_prints_the_number_in_large_characters() -> None:
    data = ticket_bytes(make_content(number="B012"), mode="text")
    assert b"\x1d!\x77B012" in data  # 8 × 8 character size


def test_unknown_mode_is_a_config_error() -> None:
    from printer import PrinterConfigError

    with pytest.raises(PrinterConfigError):
        ticket_bytes(make_content(), mode="pdf")  # type: ignore[arg-type]
