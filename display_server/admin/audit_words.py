"""The audit log in words: each action's name, each changed field's label, values as text.

The log stores codes and JSON (`service.update`, `{"changes": {"daily_limit": [null, 300]}}`);
the page shows "Sửa dịch vụ" and "Số phiếu tối đa mỗi ngày: — → 300".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .config_pages import (
    COUNTER_FIELDS,
    OFFICE_FIELDS,
    OFFICER_EDIT_FIELDS,
    OFFICER_NEW_FIELDS,
    SERVICE_FIELDS,
)
from .forms import Field
from .i18n import gettext
from .sections import SECTIONS

ACTIONS = {
    "signin": "Đăng nhập quản trị",
    "office.update": "Sửa thông tin cơ quan",
    "service.create": "Thêm dịch vụ",
    "service.update": "Sửa dịch vụ",
    "counter.create": "Thêm quầy",
    "counter.update": "Sửa quầy",
    "officer.create": "Thêm cán bộ",
    "officer.update": "Sửa cán bộ",
    "officer.password_reset": "Đặt lại mật khẩu",
    "settings.update": "Sửa cài đặt",
    "device.pair": "Ghép thiết bị",
    "device.revoke": "Thu hồi thiết bị",
    "apology.print": "In phiếu xin lỗi",
}
# Keys that are not form fields: what the entries of other actions carry.
OTHER_LABELS = {
    "address": "Địa chỉ máy",
    "kiosk": "Ki-ốt",
    "kiosks": "Danh sách ki-ốt",
    "reason": "Lý do",
    "ticket": "Phiếu",
    "waited_minutes": "Đã chờ (phút)",
    "target_wait_minutes": "Cam kết (phút)",
    "print_status": "Máy in",
    "services": "Dịch vụ",
    "username": "Tên đăng nhập",
}
PRINT_STATES = {"printed": "đã in", "pending": "đang chờ máy in", "failed": "in lỗi"}
_FORMS: dict[str, tuple[Field, ...]] = {
    "office": OFFICE_FIELDS,
    "service": SERVICE_FIELDS,
    "counter": COUNTER_FIELDS,
    "officer": OFFICER_EDIT_FIELDS + OFFICER_NEW_FIELDS,
}


def action_words(action: str) -> str:
    """The action's name in the page's language (the code itself when unknown)."""
    return gettext(ACTIONS[action]) if action in ACTIONS else action


def _labels(action: str, target: str) -> dict[str, str]:
    """Field name → label for the form behind `action` (a settings page's own fields)."""
    fields: Iterable[Field] = _FORMS.get(action.partition(".")[0], ())
    if action == "settings.update" and target in SECTIONS:
        fields = SECTIONS[target].fields
    return {**OTHER_LABELS, **{field.name: field.label for field in fields}}


def value_words(value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, list):
        return ", ".join(value_words(item) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {value_words(item)}" for key, item in value.items())
    if isinstance(value, str) and value in PRINT_STATES:
        return gettext(PRINT_STATES[value])
    return str(value)


def detail_lines(action: str, target: str, detail: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for each thing an entry records: changes as "before → after"."""
    labels = _labels(action, target)

    def label(key: str) -> str:
        """The field's label in the page's language (its name when unknown)."""
        return gettext(labels[key]) if key in labels else key

    lines: list[tuple[str, str]] = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, Mapping):
            for name, pair in value.items():
                before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                lines.append((label(name), f"{value_words(before)} → {value_words(after)}"))
        elif key == "values" and isinstance(value, Mapping):
            lines += [(label(name), value_words(item)) for name, item in value.items()]
        else:
            lines.append((label(key), value_words(value)))
    return lines
