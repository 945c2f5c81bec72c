"""Vietnamese number words ("một trăm linh năm", "hai mươi mốt") for spoken announcements."""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu", "tỷ")
_SOUTHERN_SCALES = ("", "ngàn", "triệu", "tỷ")


def number_to_words(value: int, *, southern: bool = False) -> str:
    """Read a non-negative integer below 10¹² as Vietnamese words.

    Northern reading by default ("linh", "nghìn"); `southern=True` says "lẻ" and "ngàn".
    """
    if value < 0:
        raise ValueError(f"cannot read a negative number: {value}")
    if value == 0:
        return DIGITS[0]
    scales = _SOUTHERN_SCALES if southern else _SCALES
    groups: list[int] = []
    while value:
        value, group = divmod(value, 1000)
        groups.append(group)
    if len(groups) > len(scales):
        raise ValueError("numbers of a trillion or more are not read")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        # Every group after the leading one is read in full: 1005 → "một nghìn không trăm linh năm".
        leading = index == len(groups) - 1
        words.append(_three_digits(group, full=not leading, southern=southern))
        if scales[index]:
            words.append(scales[index])
    return " ".join(words)


def digits_to_words(digits: str) -> str:
    """Read a string of digits one by one: "012" → "không, một, hai"."""
    return ", ".join(DIGITS[int(char)] for char in digits)


def _three_digits(group: int, *, full: bool, southern: bool) -> str:
    """Read 0 < group < 1000; `full` forces the "không trăm" / "linh" reading of small groups."""
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("lẻ" if southern else "linh")
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append(_unit_after_tens(units))
    return " ".join(words)


def _unit_after_tens(units: int) -> str:
    """The unit after "mươi": 1 is "mốt", 4 is "tư", 5 is "lăm"."""
    return {1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units])
