"""The words of an announcement: default templates, ticket letters and numbers, counters."""

from __future__ import annotations

import subprocess

import pytest

from display_server.voice.text import (
    DEFAULT_TEMPLATES,
    LETTER_NAMES_VI,
    read_counter,
    read_ticket,
    render_announcement,
)

VI = DEFAULT_TEMPLATES["vi"]


def test_default_vietnamese_sentence() -> None:
    words = render_announcement(VI, number="A012", counter=3)
    assert words.text == "Mời công dân có số thứ tự A mười hai đến quầy số ba"
    assert words.speech == "Mời công dân có số thứ tự a mười hai đến quầy số ba"


def test_digit_by_digit() -> None:
    words = render_announcement(VI, number="A012", counter=12, style="digits")
    assert words.text == "Mời công dân có số thứ tự A, không, một, hai đến quầy số mười hai"


def test_english_template() -> None:
    words = render_announcement(DEFAULT_TEMPLATES["en"], number="A012", counter=3, language="en")
    assert words.text == "Ticket A 12, please go to counter 3"


@pytest.mark.parametrize(
    ("number", "text", "speech"),
    [
        ("A012", "A mười hai", "a mười hai"),
        ("B105", "B một trăm linh năm", "bê một trăm linh năm"),
        ("D021", "D hai mươi mốt", "dê hai mươi mốt"),
        ("G124", "G một trăm hai mươi tư", "gờ một trăm hai mươi tư"),
        ("AB001", "AB một", "a bê một"),
        ("c15", "C mười lăm", "xê mười lăm"),
        ("A-1005", "A một nghìn không trăm linh năm", "a một nghìn không trăm linh năm"),
        ("A000", "A không", "a không"),
        ("42", "bốn mươi hai", "bốn mươi hai"),
        ("VIP", "VIP", "vê i pê"),
        ("#7!", "#7!", "#7!"),
    ],
)
def test_ticket_numbers(number: str, text: str, speech: str) -> None:
    read = read_ticket(number)
    assert (read.text, read.speech) == (text, speech)


def test_southern_ticket() -> None:
    assert read_ticket("A105", southern=True).text == "A một trăm lẻ năm"


def test_counters_read_as_values() -> None:
    assert read_counter(3) == "ba"
    assert read_counter("15") == "mười lăm"
    assert read_counter("Quầy VIP") == "Quầy VIP"
    assert read_counter(3, language="en") == "3"


def test_template_fields_and_mistakes() -> None:
    words = render_announcement(
        "{counter_name}: {number} → {counter} {unknown}",
        number="A1",
        counter=2,
        extra={"counter_name": "Quầy 2"},
    )
    assert words.text == "Quầy 2: A một → hai {unknown}"
    broken = render_announcement("Mời {number đến", number="A1", counter=2)
    assert broken.text == "Mời công dân có số thứ tự A một đến quầy số hai"


def test_espeak_says_every_letter_name_differently() -> None:
    """espeak-ng `vi` reads a lone "D" like "Đ" and "G" as "ghê": our spelled names must all
    come out as distinct sounds."""
    names = list(dict.fromkeys(LETTER_NAMES_VI.values()))
    phonemes = []
    for name in names:
        done = subprocess.run(
            ["espeak-ng", "-v", "vi", "-q", "-x", "--", name],
            capture_output=True,
            check=True,
            text=True,
        )
        phonemes.append(done.stdout.strip().replace("_", ""))
    assert all(phonemes)
    clashes = {p for p in phonemes if phonemes.count(p) > 1}
    assert not clashes, [n for n, p in zip(names, phonemes, strict=True) if p in clashes]
