"""Reports as files: CSV (UTF-8 with BOM, for Excel) and XLSX with real types, Vietnamese headers.

In XLSX, counts are integers, durations are minutes as numbers (format 0.0), shares are
fractions formatted as percentages, days are dates and hours are times. CSV carries the same
columns: ISO dates, HH:MM hours, minutes rounded to 0.01, shares as percentages.
Text a spreadsheet would run as a formula (a name typed "=HYPERLINK(…)") stays text in both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .figures import Figures
from .queries import Report, ReportRow

Kind = Literal["count", "minutes", "share", "score"]
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
# with their full-width forms, which some East Asian spreadsheet settings also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TOTAL_LABEL = "Tổng cộng"
GROUP_HEADERS: dict[str, tuple[str, str]] = {
    "day": ("Ngày", ""),
    "hour": ("Giờ", "Khung giờ"),
    "service": ("Mã dịch vụ", "Dịch vụ"),
    "counter": ("Quầy số", "Tên quầy"),
    "officer": ("Tên đăng nhập", "Cán bộ"),
}


def csv_text(text: str) -> str:
    """`text` for a CSV cell: a leading quote (OWASP's advice) where a formula could start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text_cells(sheet: Any, line: int) -> None:
    """Keep the text cells of row `line` text: openpyxl turns a string starting with "=" into a
    formula; the quote prefix keeps Excel from reading it as one when the cell is edited."""
    for cell in sheet[line]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


@dataclass(frozen=True)
class Column:
    """One figure column: its header and how to read it from a row's figures."""

    header: str
    kind: Kind
    value: Callable[[Figures], float | int | None]


COLUMNS: tuple[Column, ...] = (
    Column("Số phiếu đã cấp", "count", lambda f: f.issued),
    Column("Lượt đã phục vụ", "count", lambda f: f.served),
    Column("Lượt vắng mặt", "count", lambda f: f.no_show),
    Column("Số phiếu đã hủy", "count", lambda f: f.cancelled),
    Column("Lượt chuyển tiếp", "count", lambda f: f.transferred),
    Column("Thời gian chờ trung bình (phút)", "minutes", lambda f: _minutes(f.wait.mean)),
    Column("Thời gian chờ trung vị (phút)", "minutes", lambda f: _minutes(f.wait.median)),
    Column("Thời gian chờ P90 (phút)", "minutes", lambda f: _minutes(f.wait.p90)),
    Column("Thời gian phục vụ trung bình (phút)", "minutes", lambda f: _minutes(f.service.mean)),
    Column("Thời gian phục vụ trung vị (phút)", "minutes", lambda f: _minutes(f.service.median)),
    Column("Thời gian phục vụ P90 (phút)", "minutes", lambda f: _minutes(f.service.p90)),
    Column("Tỷ lệ chờ trong thời hạn (%)", "share", lambda f: f.within_target_share),
    Column("Số lượt đánh giá", "count", lambda f: f.ratings),
    Column("Số lượt hài lòng", "count", lambda f: f.satisfied),
    Column("Tỷ lệ hài lòng (%)", "share", lambda f: f.satisfaction_rate),
    Column("Điểm đánh giá trung bình", "score", lambda f: f.average_score),
)


def level_order(report: Report, labels: Mapping[str, str]) -> list[str]:
    """The rating levels that occur: in the order of `labels` (the settings), then the rest."""
    present = set(report.level_keys())
    return [key for key in labels if key in present] + sorted(present - set(labels))


def _level_count(level: str) -> Callable[[Figures], int]:
    return lambda figures: figures.levels.get(level, 0)


def _level_columns(report: Report, labels: Mapping[str, str]) -> list[Column]:
    return [
        Column(f"Đánh giá: {labels.get(level, level)}", "count", _level_count(level))
        for level in level_order(report, labels)
    ]


def _group_cells(report: Report, row: ReportRow) -> tuple[Any, Any]:
    """The two group cells of a row, as Python values of the right type."""
    if report.grouping == "day":
        return row.key, None
    if report.grouping == "hour":
        assert isinstance(row.key, int)
        return time(row.key, 0), row.label
    return row.key, row.label


def _headers(report: Report, columns: list[Column]) -> list[str]:
    first, second = GROUP_HEADERS[report.grouping]
    return [first] + ([second] if second else []) + [c.header for c in columns]


def _figure_cells(figures: Figures, columns: list[Column]) -> list[float | int | None]:
    return [column.value(figures) for column in columns]


def csv_bytes(report: Report, level_labels: Mapping[str, str] | None = None) -> bytes:
    """The report as CSV (UTF-8 with BOM so Excel reads the Vietnamese correctly)."""
    columns = [*COLUMNS, *_level_columns(report, level_labels or {})]
    two = bool(GROUP_HEADERS[report.grouping][1])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(header) for header in _headers(report, columns)])

    def text(value: Any, kind: Kind | None = None) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, time):
            return value.strftime("%H:%M")
        if kind == "share":
            return f"{value * 100:.1f}"
        if kind in ("minutes", "score"):
            return f"{value:.2f}"
        # Names and labels are typed by people; numbers (negative ones too) stay numbers.
        return csv_text(value) if isinstance(value, str) else str(value)

    def write(first: Any, second: Any, figures: Figures) -> None:
        cells = [text(first)] + ([text(second)] if two else [])
        cells += [
            text(v, c.kind) for v, c in zip(_figure_cells(figures, columns), columns, strict=True)
        ]
        writer.writerow(cells)

    for row in report.rows:
        write(*_group_cells(report, row), row.figures)
    write(TOTAL_LABEL, None, report.total)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NUMBER_FORMATS: dict[Kind, str] = {
    "count": "0",
    "minutes": "0.0",
    "share": "0.0%",
    "score": "0.00",
}


def xlsx_bytes(
    report: Report,
    level_labels: Mapping[str, str] | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The report as an Excel workbook: sheet "Báo cáo" (one row per group, totals last) and
    sheet "Thông tin" (office, period, definitions)."""
    columns = [*COLUMNS, *_level_columns(report, level_labels or {})]
    two = bool(GROUP_HEADERS[report.grouping][1])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Báo cáo"
    headers = _headers(report, columns)
    sheet.append(headers)
    _text_cells(sheet, 1)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    offset = 2 if two else 1

    def write(first: Any, second: Any, figures: Figures, bold: bool = False) -> None:
        values = [first] + ([second] if two else []) + _figure_cells(figures, columns)
        sheet.append(values)
        line = sheet.max_row
        _text_cells(sheet, line)
        first_cell = sheet.cell(line, 1)
        if isinstance(first, date):
            first_cell.number_format = "dd/mm/yyyy"
        elif isinstance(first, time):
            first_cell.number_format = "hh:mm"
        for index, column in enumerate(columns):
            cell = sheet.cell(line, offset + index + 1)
            cell.number_format = NUMBER_FORMATS[column.kind]
            if bold:
                cell.font = Font(bold=True)
        if bold:
            first_cell.font = Font(bold=True)

    for row in report.rows:
        write(*_group_cells(report, row), row.figures)
    write(TOTAL_LABEL, None, report.total, bold=True)
    sheet.freeze_panes = sheet.cell(2, offset + 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{sheet.max_row - 1}"
    sheet.row_dimensions[1].height = 45
    for index in range(1, len(headers) + 1):
        width = 12 if index > offset else (40 if index == 2 else 14)
        sheet.column_dimensions[get_column_letter(index)].width = width

    info = book.create_sheet("Thông tin")
    info.append(["Cơ quan", report.office_name])
    info.append(["Bộ phận", report.office_unit])
    info.append(["Từ ngày", report.period.start])
    info.append(["Đến ngày", report.period.end])
    info.append(["Nhóm theo", GROUP_HEADERS[report.grouping][0]])
    info.append(["Múi giờ", report.timezone])
    info.append(["Điểm tính là hài lòng", report.satisfied_score])
    if generated_at is not None:
        info.append(["Lập lúc", generated_at.replace(tzinfo=None)])
        info.cell(info.max_row, 2).number_format = "dd/mm/yyyy hh:mm"
    for line in (3, 4):
        info.cell(line, 2).number_format = "dd/mm/yyyy"
    info.append([])
    for term, meaning in DEFINITIONS:
        info.append([term, meaning])
    for line in range(1, info.max_row + 1):
        _text_cells(info, line)
    info.column_dimensions["A"].width = 32
    info.column_dimensions["B"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Kỳ báo cáo", "Phiếu thuộc kỳ khi ngày cấp số (theo múi giờ của cơ quan) nằm trong kỳ."),
    ("Thời gian chờ", "Từ lúc cấp số đến lần gọi đầu tiên, tính cho mỗi phiếu đã được gọi."),
    ("Thời gian phục vụ", "Từ lúc bắt đầu đến lúc hoàn thành, cho mỗi lượt phục vụ xong."),
    ("Trung vị, P90", "Nội suy tuyến tính giữa hai hạng gần nhất (như PERCENTILE.INC)."),
    (
        "Tỷ lệ chờ trong thời hạn",
        "Trong các phiếu đã gọi có thời hạn chờ, tỷ lệ được gọi không muộn hơn thời hạn.",
    ),
    ("Tỷ lệ hài lòng", "Số lượt đánh giá có điểm từ mức hài lòng trở lên / tổng số lượt đánh giá."),
    (
        "Lượt đã phục vụ",
        "Mỗi thủ tục phục vụ xong tính một lượt (một phiếu chuyển tiếp hoặc "
        "liên thông có thể có nhiều lượt).",
    ),
)
