"""Declared form fields: parsing and checking posted values, with messages for each field.

A form is a tuple of `Field`s. `parse_form` turns the posted strings into typed values or
raises `FormInvalid` with one `Problem` per bad field (every field is checked, so the page
shows all problems at once). Messages are Vietnamese catalog strings, translated on the page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Literal

Kind = Literal["text", "textarea", "int", "number", "bool", "choice", "time", "password"]


@dataclass(frozen=True)
class Problem:
    """A message for one field: a catalog string and its {placeholders}."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


class FormInvalid(Exception):
    """Posted values that cannot be saved, by field name ("" for the form as a whole)."""

    def __init__(self, problems: Mapping[str, Problem]) -> None:
        super().__init__(", ".join(problems))
        self.problems = dict(problems)


@dataclass(frozen=True)
class Field:
    """One input of a form, with what it accepts."""

    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    max_length: int = 200
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    pattern: str | None = None
    pattern_message: str = ""
    help: str = ""


REQUIRED = Problem("Hãy nhập {label}.")


def clean_text(value: str) -> str | Problem:
    """NFC text, trimmed, without control characters (line breaks allowed)."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if any(
        unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in "\n\t\u200d"
        for ch in text
    ):
        return Problem("{label} chứa ký tự không hợp lệ.")
    return text


def _number(spec: Field, raw: str) -> float | int | Problem:
    try:
        value: float | int = int(raw) if spec.kind == "int" else float(raw.replace(",", "."))
    except ValueError:
        kind = "số nguyên" if spec.kind == "int" else "số"
        return Problem("{label} phải là một {kind}.", {"kind": kind})
    if isinstance(value, float) and not math.isfinite(value):
        return Problem("{label} phải là một {kind}.", {"kind": "số"})
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return Problem(
            "{label} phải từ {min} đến {max}.", {"min": _plain(low), "max": _plain(high)}
        )
    return value


def _plain(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_time(raw: str) -> time | None:
    """ "HH:MM" (or "H:MM") as a time; None when malformed."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))


def parse_field(spec: Field, data: Mapping[str, str]) -> Any:
    """The typed value of one field, or a Problem."""
    if spec.kind == "bool":
        return data.get(spec.name) in ("on", "1", "true", "yes")
    raw = data.get(spec.name, "")
    cleaned = clean_text(raw) if isinstance(raw, str) else Problem("{label} không hợp lệ.")
    if isinstance(cleaned, Problem):
        return cleaned
    if spec.kind == "password":
        cleaned = raw  # passwords are taken exactly as typed
    if cleaned == "":
        return (
            REQUIRED if spec.required else (None if spec.kind not in ("text", "textarea") else "")
        )
    if len(cleaned) > spec.max_length:
        return Problem("{label} dài quá {max} ký tự.", {"max": spec.max_length})
    if spec.kind in ("int", "number"):
        return _number(spec, cleaned)
    if spec.kind == "time":
        parsed = parse_time(cleaned)
        return parsed if parsed else Problem("{label} phải có dạng giờ:phút, ví dụ 07:30.")
    if spec.kind == "choice" and cleaned not in {value for value, _ in spec.choices}:
        return Problem("Hãy chọn {label} trong danh sách.")
    if spec.pattern and not re.fullmatch(spec.pattern, cleaned):
        return Problem(spec.pattern_message or "{label} không hợp lệ.")
    return cleaned


def parse_form(fields: tuple[Field, ...], data: Mapping[str, str]) -> dict[str, Any]:
    """Every field's typed value; raises FormInvalid listing each bad field."""
    values: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    for spec in fields:
        value = parse_field(spec, data)
        if isinstance(value, Problem):
            problems[spec.name] = Problem(value.message, {"label": spec.label, **value.params})
        else:
            values[spec.name] = value
    if problems:
        raise FormInvalid(problems)
    return values


def shown(value: Any) -> str:
    """A stored value as the form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return _plain(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def shown_values(fields: tuple[Field, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """Stored values of `fields` as the form shows them."""
    return {spec.name: shown(values.get(spec.name)) for spec in fields}
