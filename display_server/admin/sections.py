"""Settings that live in sections (site-file tables overlaid by administration): display, voice,
rating, kiosk screen, the queue at day end, printing and the kiosk list. Each `Section` knows its
form and how its values are stored; `save_section` (display_server.settings) stores them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..queue.day_end import CANCEL, DEFAULT_AT_DAY_END, KEEP
from .forms import Field, FormInvalid, Problem, parse_form, shown_values

VOICE_FIELDS = frozenset({"number", "counter", "counter_name", "service_name"})
PRIORITIES = (
    ("elderly", "Người cao tuổi"),
    ("disabled", "Người khuyết tật"),
    ("pregnant", "Phụ nữ mang thai"),
    ("with_infant", "Người có con nhỏ"),
    ("veteran", "Người có công với cách mạng"),
)
LEVEL_ROWS = 5
KIOSK_ROWS_EXTRA = 3
KIOSK_ID = r"[A-Za-z0-9_.-]{1,64}"
NOT_A_PRINTER = (
    "Máy in không hợp lệ: chỉ dùng được máy in mạng (network://), USB (usb://), cổng nối tiếp "
    "(serial://), CUPS (cups://), Windows (win32://) hoặc tệp thiết bị máy in trong /dev/, "
    "ví dụ file:///dev/usb/lp0."
)
DEFAULT_LEVELS: tuple[dict[str, Any], ...] = (
    {"key": "very_satisfied", "label": "Rất hài lòng", "label_en": "Very satisfied", "score": 3},
    {"key": "satisfied", "label": "Hài lòng", "label_en": "Satisfied", "score": 2},
    {"key": "unsatisfied", "label": "Không hài lòng", "label_en": "Not satisfied", "score": 1},
)


@dataclass(frozen=True)
class Section:
    """One settings page: its section name, title, fields and storage rules."""

    name: str
    title: str
    intro: str
    fields: tuple[Field, ...]

    def initial(self, stored: Mapping[str, Any]) -> dict[str, str]:
        """The form's values from the effective section."""
        return shown_values(self.fields, stored)

    def parse(self, data: Mapping[str, str]) -> dict[str, Any]:
        """The values to store (None: remove the key); raises FormInvalid."""
        return parse_form(self.fields, data)


def _template_problem(template: str) -> Problem | None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return Problem("Mẫu câu có dấu ngoặc {{ }} không cân đối.")
    unknown = sorted(names - VOICE_FIELDS)
    if unknown:
        return Problem(
            "Mẫu câu chỉ được dùng {allowed}; không có {unknown}.",
            {
                "allowed": ", ".join("{" + n + "}" for n in sorted(VOICE_FIELDS)),
                "unknown": ", ".join("{" + n + "}" for n in unknown),
            },
        )
    if "number" not in names:
        return Problem("Mẫu câu phải có {{number}} (số thứ tự).")
    return None


class VoiceSection(Section):
    """Announcements: the template must name the number and only known fields."""

    def parse(self, data: Mapping[str, str]) -> dict[str, Any]:
        values = super().parse(data)
        problems = {
            name: problem
            for name in ("template", "template_en")
            if values.get(name) and (problem := _template_problem(values[name]))
        }
        if problems:
            raise FormInvalid(problems)
        if values.get("volume") is not None:
            values["volume"] = float(values["volume"])
        return values


class RatingSection(Section):
    """Rating levels (up to five rows), the counter tablet's window, comments."""

    def initial(self, stored: Mapping[str, Any]) -> dict[str, str]:
        shown = super().initial(stored)
        levels = stored.get("levels") or list(DEFAULT_LEVELS)
        for index in range(LEVEL_ROWS):
            level = levels[index] if index < len(levels) else {}
            if isinstance(level, str):
                level = {"key": "", "label": level, "score": len(levels) - index}
            for part in ("key", "label", "label_en", "score"):
                value = level.get(part) if isinstance(level, Mapping) else None
                shown[f"level_{index + 1}_{part}"] = "" if value is None else str(value)
        return shown

    def parse(self, data: Mapping[str, str]) -> dict[str, Any]:
        values = super().parse(data)
        levels: list[dict[str, Any]] = []
        problems: dict[str, Problem] = {}
        row_fields = level_fields()
        for index in range(1, LEVEL_ROWS + 1):
            specs = tuple(spec for spec in row_fields if spec.name.startswith(f"level_{index}_"))
            try:
                row = parse_form(specs, data)
            except FormInvalid as invalid:
                problems.update(invalid.problems)
                continue
            key, label = row[f"level_{index}_key"], row[f"level_{index}_label"]
            label_en, score = row[f"level_{index}_label_en"], row[f"level_{index}_score"]
            if not (key or label or label_en or score is not None):
                continue
            if not key or not label or score is None:
                problems[f"level_{index}_key"] = Problem(
                    "Mức {row}: cần mã, tên và điểm.", {"row": index}
                )
                continue
            levels.append({"key": key, "label": label, "label_en": label_en, "score": score})
        if not problems:
            if len(levels) < 2:
                problems["level_1_key"] = Problem("Cần ít nhất hai mức đánh giá.")
            elif len({lv["key"] for lv in levels}) != len(levels):
                problems["level_1_key"] = Problem("Mỗi mức đánh giá cần một mã riêng.")
            elif len({lv["score"] for lv in levels}) != len(levels):
                problems["level_1_score"] = Problem("Mỗi mức đánh giá cần một điểm riêng.")
        if problems:
            raise FormInvalid(problems)
        values["levels"] = sorted(levels, key=lambda lv: -int(lv["score"]))
        return values


def level_fields() -> tuple[Field, ...]:
    """The inputs of the rating levels table."""
    specs: list[Field] = []
    for index in range(1, LEVEL_ROWS + 1):
        specs += [
            Field(
                f"level_{index}_key",
                "Mã mức",
                max_length=32,
                pattern=r"[a-z0-9_]{1,32}",
                pattern_message="Mã mức chỉ gồm chữ thường không dấu, số và dấu _.",
            ),
            Field(f"level_{index}_label", "Tên mức", max_length=60),
            Field(f"level_{index}_label_en", "Tên tiếng Anh", max_length=60),
            Field(f"level_{index}_score", "Điểm", kind="int", minimum=1, maximum=10),
        ]
    return tuple(specs)


class KioskScreenSection(Section):
    """The kiosk screen: which priority buttons it shows, how long a result stays."""

    def initial(self, stored: Mapping[str, Any]) -> dict[str, str]:
        shown = super().initial(stored)
        chosen = stored.get("priorities", [key for key, _ in PRIORITIES])
        for key, _ in PRIORITIES:
            shown[f"priority_{key}"] = "on" if isinstance(chosen, list) and key in chosen else ""
        return shown

    def parse(self, data: Mapping[str, str]) -> dict[str, Any]:
        values = super().parse(data)
        chosen = [key for key, _ in PRIORITIES if values.pop(f"priority_{key}", False)]
        return {**values, "priorities": chosen}


SECTIONS: dict[str, Section] = {
    "display": Section(
        "display",
        "Màn hình chờ",
        "Dòng thông báo chạy trên màn hình phòng chờ.",
        (
            Field("notice", "Thông báo (tiếng Việt)", kind="textarea", max_length=2000),
            Field("notice_en", "Thông báo (tiếng Anh)", kind="textarea", max_length=2000),
        ),
    ),
    "voice": VoiceSection(
        "voice",
        "Đọc số",
        "Cách đọc số mời công dân lên quầy.",
        (
            Field("enabled", "Bật đọc số", kind="bool"),
            Field(
                "language",
                "Ngôn ngữ đọc",
                kind="choice",
                required=True,
                choices=(("vi", "Tiếng Việt"), ("en", "Tiếng Anh")),
            ),
            Field(
                "voice",
                "Giọng đọc",
                max_length=100,
                help="Mã hoặc một phần tên giọng; để trống để tự chọn.",
            ),
            Field("rate", "Tốc độ (từ/phút)", kind="int", required=True, minimum=50, maximum=400),
            Field("volume", "Âm lượng (0–1)", kind="number", required=True, minimum=0, maximum=1),
            Field(
                "template",
                "Mẫu câu (tiếng Việt)",
                required=True,
                max_length=300,
                help="Dùng {number}, {counter}, {counter_name}, {service_name}.",
            ),
            Field("template_en", "Mẫu câu (tiếng Anh)", required=True, max_length=300),
            Field(
                "number_style",
                "Cách đọc số",
                kind="choice",
                required=True,
                choices=(
                    ("value", "Đọc thành số (mười hai)"),
                    ("digits", "Đọc từng chữ số (một hai)"),
                ),
            ),
            Field(
                "dialect",
                "Giọng vùng",
                kind="choice",
                required=True,
                choices=(("north", "Miền Bắc"), ("south", "Miền Nam")),
            ),
            Field("repeat", "Số lần đọc", kind="int", required=True, minimum=1, maximum=5),
            Field("chime", "Chuông trước khi đọc", kind="bool"),
            Field("play_on_server", "Phát trên loa của máy chủ", kind="bool"),
            Field(
                "device",
                "Thiết bị âm thanh",
                max_length=100,
                help="Để trống để dùng thiết bị mặc định.",
            ),
        ),
    ),
    "rating": RatingSection(
        "rating",
        "Đánh giá mức độ hài lòng",
        "Các mức công dân chọn khi đánh giá; điểm cao hơn là hài lòng hơn.",
        (
            Field(
                "window_minutes",
                "Thời gian cho phép đánh giá tại quầy (phút)",
                kind="int",
                required=True,
                minimum=1,
                maximum=1440,
            ),
            Field("comment", "Cho phép ghi ý kiến", kind="bool"),
            Field(
                "satisfied_min_score",
                "Điểm tối thiểu được tính là hài lòng",
                kind="int",
                minimum=1,
                maximum=10,
                help="Để trống: hai mức cao nhất được tính là hài lòng.",
            ),
        ),
    ),
    "kiosk": KioskScreenSection(
        "kiosk",
        "Màn hình lấy số",
        "Các nút ưu tiên trên máy lấy số và thời gian hiện kết quả.",
        tuple(Field(f"priority_{key}", label, kind="bool") for key, label in PRIORITIES)
        + (
            Field(
                "result_seconds",
                "Thời gian hiện số vừa lấy (giây)",
                kind="int",
                required=True,
                minimum=3,
                maximum=300,
            ),
        ),
    ),
    "queue": Section(
        "queue",
        "Hàng chờ",
        "Số thứ tự còn chờ khi hết ngày làm việc (lúc 0 giờ theo múi giờ của cơ quan).",
        (
            Field(
                "at_day_end",
                "Số còn chờ khi hết ngày",
                kind="choice",
                required=True,
                choices=(
                    (KEEP, "Giữ trong hàng chờ, gọi trước số của ngày mới"),
                    (CANCEL, "Hủy, ghi lý do hết ngày làm việc"),
                ),
                help="Số bị hủy hiện lý do trên trang theo dõi của công dân.",
            ),
        ),
    ),
    "printing": Section(
        "printing",
        "In phiếu",
        "Khổ giấy, cách in và lời chào cuối phiếu của máy in tại ki-ốt.",
        (
            Field(
                "paper",
                "Khổ giấy",
                kind="choice",
                required=True,
                choices=(("80mm", "80 mm"), ("58mm", "58 mm")),
            ),
            Field(
                "mode",
                "Cách in",
                kind="choice",
                required=True,
                choices=(("raster", "In ảnh (khuyên dùng)"), ("text", "In chữ (CP1258)")),
            ),
            Field(
                "codepage", "Bảng mã của máy in", kind="int", required=True, minimum=0, maximum=255
            ),
            Field("footer", "Lời cuối phiếu", max_length=100),
            Field(
                "logo",
                "Tệp logo",
                max_length=300,
                help="Đường dẫn tệp ảnh, để trống nếu không in logo.",
            ),
            Field(
                "wait_seconds",
                "Chờ máy in trả lời (giây)",
                kind="number",
                required=True,
                minimum=0,
                maximum=10,
            ),
        ),
    ),
}

DEFAULTS: dict[str, dict[str, Any]] = {
    "voice": {
        "enabled": True,
        "language": "vi",
        "rate": 150,
        "volume": 1.0,
        "template": "Mời công dân có số thứ tự {number} đến quầy số {counter}",
        "template_en": "Ticket {number}, please go to counter {counter}",
        "number_style": "value",
        "dialect": "north",
        "repeat": 2,
        "chime": True,
        "play_on_server": True,
    },
    "rating": {"window_minutes": 10, "comment": True},
    "kiosk": {"result_seconds": 20},
    "queue": {"at_day_end": DEFAULT_AT_DAY_END},
    "printing": {
        "paper": "80mm",
        "mode": "raster",
        "codepage": 52,
        "footer": "Cảm ơn Quý khách!",
        "wait_seconds": 0.8,
    },
}


def kiosk_fields(rows: int) -> tuple[Field, ...]:
    """The inputs of the kiosk list, `rows` rows."""
    specs: list[Field] = []
    for index in range(1, rows + 1):
        specs += [
            Field(
                f"kiosk_{index}_id",
                "Mã ki-ốt",
                max_length=64,
                pattern=KIOSK_ID,
                pattern_message="Mã ki-ốt chỉ gồm chữ không dấu, số, dấu chấm, gạch.",
            ),
            Field(f"kiosk_{index}_name", "Tên ki-ốt", max_length=100),
            Field(f"kiosk_{index}_printer", "Máy in", max_length=300),
            Field(f"kiosk_{index}_profile", "Loại máy in", max_length=64),
            Field(
                f"kiosk_{index}_qr",
                "Mã QR",
                kind="choice",
                choices=(("native", "Máy in tự vẽ"), ("image", "In dạng ảnh")),
            ),
        ]
    return tuple(specs)


def kiosk_rows(data: Mapping[str, str]) -> int:
    """How many kiosk rows a posted form holds."""
    numbers = [int(m[1]) for key in data if (m := re.fullmatch(r"kiosk_(\d{1,2})_id", key))]
    return max(numbers, default=0)


def parse_kiosks(data: Mapping[str, str]) -> list[dict[str, Any]]:
    """The kiosk list from the posted rows (blank rows dropped); raises FormInvalid."""
    from printer import (
        NotAPrinterDeviceError,
        PrinterConfigError,
        parse_device_url,
        profile_width_dots,
    )
    from printer.errors import BackendUnavailableError

    rows = kiosk_rows(data)
    values = parse_form(kiosk_fields(rows), data)
    kiosks: list[dict[str, Any]] = []
    problems: dict[str, Problem] = {}
    for index in range(1, rows + 1):
        item = {
            part: values[f"kiosk_{index}_{part}"]
            for part in ("id", "name", "printer", "profile", "qr")
        }
        if not item["id"]:
            if item["name"] or item["printer"]:
                problems[f"kiosk_{index}_id"] = Problem("Hãy nhập {label}.", {"label": "Mã ki-ốt"})
            continue
        if item["id"] in {k["id"] for k in kiosks}:
            problems[f"kiosk_{index}_id"] = Problem("Mã ki-ốt {id} bị trùng.", {"id": item["id"]})
        try:
            if item["printer"]:
                parse_device_url(item["printer"])  # never a file: the server writes to it
            profile_width_dots(item["profile"] or None)
        except BackendUnavailableError:
            pass  # a printer this machine cannot drive now; the printing page reports it
        except NotAPrinterDeviceError:
            problems[f"kiosk_{index}_printer"] = Problem(NOT_A_PRINTER)
        except PrinterConfigError as exc:
            problems[f"kiosk_{index}_printer"] = Problem(
                "Máy in không hợp lệ: {reason}", {"reason": str(exc)}
            )
        entry = {"id": item["id"], "name": item["name"] or item["id"]}
        if item["printer"]:
            entry["printer"] = item["printer"]
        if item["profile"]:
            entry["profile"] = item["profile"]
        entry["qr"] = item["qr"] or "native"
        kiosks.append(entry)
    if problems:
        raise FormInvalid(problems)
    return kiosks
