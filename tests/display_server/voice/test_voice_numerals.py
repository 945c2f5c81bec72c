"""Vietnamese number words: the rules of linh/lẻ, mốt, tư, lăm, mười/mươi and "không trăm"."""

from __future__ import annotations

import pytest

from display_server.voice.numerals import digits_to_words, number_to_words

NORTHERN = {
    0: "không",
    4: "bốn",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    31: "ba mươi mốt",
    44: "bốn mươi tư",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    111: "một trăm mười một",
    114: "một trăm mười bốn",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    124: "một trăm hai mươi tư",
    125: "một trăm hai mươi lăm",
    200: "hai trăm",
    999: "chín trăm chín mươi chín",
    1000: "một nghìn",
    1001: "một nghìn không trăm linh một",
    1005: "một nghìn không trăm linh năm",
    1010: "một nghìn không trăm mười",
    1015: "một nghìn không trăm mười lăm",
    1021: "một nghìn không trăm hai mươi mốt",
    1050: "một nghìn không trăm năm mươi",
    1100: "một nghìn một trăm",
    1105: "một nghìn một trăm linh năm",
    2024: "hai nghìn không trăm hai mươi tư",
    5000: "năm nghìn",
    9999: "chín nghìn chín trăm chín mươi chín",
    10000: "mười nghìn",
    21000: "hai mươi mốt nghìn",
    1_000_000: "một triệu",
}

SOUTHERN = {
    101: "một trăm lẻ một",
    105: "một trăm lẻ năm",
    1005: "một ngàn không trăm lẻ năm",
    1050: "một ngàn không trăm năm mươi",
    24: "hai mươi tư",
    15: "mười lăm",
}


@pytest.mark.parametrize(("value", "words"), sorted(NORTHERN.items()))
def test_northern_reading(value: int, words: str) -> None:
    assert number_to_words(value) == words


@pytest.mark.parametrize(("value", "words"), sorted(SOUTHERN.items()))
def test_southern_reading(value: int, words: str) -> None:
    assert number_to_words(value, southern=True) == words


def test_every_number_to_9999_reads_without_gaps() -> None:
    seen = set()
    for value in range(10_000):
        words = number_to_words(value)
        assert words and "  " not in words and words == words.strip()
        seen.add(words)
        # "mốt", "tư" and "lăm" only ever follow "mươi"/"mười"; "linh" only follows "trăm".
        tokens = words.split()
        for before, after in zip(tokens, tokens[1:], strict=False):
            if after in {"mốt", "tư"}:
                assert before == "mươi", words
            if after == "lăm":
                assert before in {"mươi", "mười"}, words
            if after == "linh":
                assert before == "trăm", words
    assert len(seen) == 10_000  # no two numbers sound the same


def test_digits_one_by_one() -> None:
    assert digits_to_words("012") == "không, một, hai"
    assert digits_to_words("105") == "một, không, năm"


def test_negative_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        number_to_words(-1)
