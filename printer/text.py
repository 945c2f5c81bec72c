"""Text mode: the ticket in the printer's own font and code page 1258, for printers known to
combine tone marks.

CP1258 holds the Vietnamese base letters (ă â ê ô ơ ư đ and capitals) and the five tone marks
as combining characters, but only a few letters with a tone. Every toned letter is therefore
sent as its base letter followed by the tone mark, which the printer overprints.
"""

from __future__ import annotations

import unicodedata

from escpos.printer import Dummy

from . import content as text
from .content import TicketContent
from .qr import module_dots_for, native_qr_bytes, qr_modules

DEFAULT_CODEPAGE = 52  # CP1258 on Epson TM-T88V/TM-T20II; 27 or 94 on many Chinese models
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
FONT_A_DOTS = 12  # width of one character of the printer's Font A

ESC_INIT = b"\x1b@"
CENTRE, LEFT = b"\x1ba\x01", b"\x1ba\x00"
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"
REVERSE_ON, REVERSE_OFF = b"\x1dB\x01", b"\x1dB\x00"


def decompose_tones(line: str) -> str:
    """Each toned letter as base letter + combining tone mark (ế → ê + U+0301)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", line):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        if not tones:
            out.append(char)
            continue
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out)


def encode_cp1258(line: str) -> bytes:
    """`line` in CP1258 with tones decomposed; characters CP1258 lacks become "?"."""
    return decompose_tones(line).encode("cp1258", errors="replace")


def wrap_columns(line: str, columns: int, max_lines: int = 3) -> list[str]:
    """Word wrap to `columns` printed characters (combining marks take no column)."""

    def width(s: str) -> int:
        return sum(1 for c in unicodedata.normalize("NFC", s) if not unicodedata.combining(c))

    lines: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}" if current else word
        if width(candidate) <= columns or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
        while width(current) > columns:
            lines.append(current[:columns])
            current = current[columns:]
    if current:
        lines.append(current)
    return lines[:max_lines]


def text_ticket_bytes(
    content: TicketContent, width_dots: int = 576, codepage: int = DEFAULT_CODEPAGE
) -> bytes:
    """The whole ticket in printer fonts: ESC @, code page, centred lines, big number, QR, cut."""
    columns = width_dots // FONT_A_DOTS

    def lines(line: str, max_lines: int = 2) -> bytes:
        wrapped = wrap_columns(text.nfc(line), columns, max_lines)
        return b"".join(encode_cp1258(part) + b"\n" for part in wrapped)

    out = bytearray(ESC_INIT + b"\x1bt" + bytes((codepage,)) + CENTRE)
    if content.reprint:
        mark = text.label(content, "reprint")
        out += REVERSE_ON + BOLD_ON + encode_cp1258(f" {mark} ") + BOLD_OFF + REVERSE_OFF + b"\n"
    out += BOLD_ON + lines(content.office_name.upper()) + BOLD_OFF + lines(content.unit)
    out += b"-" * min(columns, 32) + b"\n"
    out += BOLD_ON + lines(content.service_name, 3) + BOLD_OFF
    out += lines(text.label(content, "number"))
    number = text.nfc(content.number)
    scale = max(1, min(8, columns // max(1, len(number))))
    out += b"\x1d!" + bytes(((scale - 1) << 4 | (scale - 1),)) + encode_cp1258(number)
    out += b"\n\x1d!\x00"
    priority = text.priority_text(content)
    if priority:
        out += REVERSE_ON + BOLD_ON + encode_cp1258(f" {priority} ") + BOLD_OFF + REVERSE_OFF
        out += b"\n"
    for line in text.info_lines(content):
        out += lines(line)
    modules = qr_modules(content.status_url)
    dots = module_dots_for(modules, max(150, round(width_dots * 0.3)))
    out += b"\n" + native_qr_bytes(content.status_url, dots) + b"\n"
    out += lines(text.label(content, "scan")) + BOLD_ON + lines(content.footer) + BOLD_OFF
    cut = Dummy()
    cut.cut()
    return bytes(out + LEFT + cut.output)
