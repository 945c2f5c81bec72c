"""Reports: the page (figures, charts, table), CSV and XLSX exports, and the printable page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, current_app, request
from werkzeug.wrappers import Response as BaseResponse

from ..queue.clock import local_day, local_time
from ..queue.lookups import get_office
from ..reports import (
    GROUPINGS,
    Grouping,
    Period,
    Report,
    ReportError,
    csv_bytes,
    parse_grouping,
    parse_period,
    xlsx_bytes,
)
from ..reports.export import CSV_CONTENT_TYPE, level_order
from . import reporting
from .blueprint import bp, db, now, page
from .charts import DurationBar, bar_chart, duration_chart, line_chart
from .i18n import gettext, language
from .ratings import level_labels

GROUP_LABELS = {
    "day": "Ngày",
    "hour": "Giờ trong ngày",
    "service": "Dịch vụ",
    "counter": "Quầy",
    "officer": "Cán bộ",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app() -> Any:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def today() -> date:
    """The office's today."""
    with db().read_session() as session:
        return local_day(get_office(session), now())


def presets(day: date) -> list[tuple[str, date, date]]:
    """Quick periods: today, last 7 days, this month, last month, this year."""
    last_month_end = day.replace(day=1) - timedelta(days=1)
    return [
        ("Hôm nay", day, day),
        ("7 ngày qua", day - timedelta(days=6), day),
        ("Tháng này", day.replace(day=1), day),
        ("Tháng trước", last_month_end.replace(day=1), last_month_end),
        ("Năm nay", day.replace(month=1, day=1), day),
    ]


def requested(day: date) -> tuple[Period, Grouping]:
    """The period and grouping asked for (this month by day when not given)."""
    args = request.args
    start = args.get("from") or day.replace(day=1).isoformat()
    end = args.get("to") or day.isoformat()
    return parse_period(start, end), parse_grouping(args.get("group"))


def run(period: Period, groupings: tuple[Grouping, ...]) -> dict[Grouping, Report]:
    """The reports of `period` for `groupings` (cached until the data changes)."""
    return reporting.reports(period, groupings)


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes (None stays None)."""
    return None if seconds is None else seconds / 60


def charts(reports: dict[Grouping, Report]) -> dict[str, Any]:
    """The page's three charts."""
    hours = reports["hour"]
    busiest = bar_chart(
        [(f"{row.key}h", row.figures.issued) for row in hours.rows],
        gettext("Số phiếu cấp theo giờ"),
        gettext("phiếu"),
    )
    services = reports["service"]
    targets = targets_by_code()
    waits = duration_chart(
        [
            DurationBar(
                f"{row.key} – {row.label}" if row.key else gettext(row.label),
                minutes(row.figures.wait.mean),
                minutes(row.figures.wait.median),
                minutes(row.figures.wait.p90),
                targets.get(str(row.key)),
            )
            for row in services.rows
            if row.key is not None
        ],
        gettext("Thời gian chờ theo dịch vụ (phút)"),
        (gettext("Trung bình"), gettext("Trung vị"), gettext("P90")),
        gettext("Thời hạn cam kết"),
        gettext("phút"),
    )
    days = reports["day"]
    labels = [f"{row.key:%d/%m}" for row in days.rows]
    volume = line_chart(
        labels,
        [
            (gettext("Số phiếu cấp"), "issued", [row.figures.issued for row in days.rows]),
            (gettext("Lượt đã phục vụ"), "served", [row.figures.served for row in days.rows]),
        ],
        gettext("Số phiếu theo ngày"),
    )
    times = line_chart(
        labels,
        [
            (
                gettext("Chờ trung bình (phút)"),
                "wait",
                [minutes(row.figures.wait.mean) for row in days.rows],
            ),
            (
                gettext("Phục vụ trung bình (phút)"),
                "service",
                [minutes(row.figures.service.mean) for row in days.rows],
            ),
        ],
        gettext("Thời gian chờ và phục vụ theo ngày"),
    )
    return {"busiest": busiest, "waits": waits, "volume": volume, "times": times}


def targets_by_code() -> dict[str, float]:
    """Each service's target wait in minutes, by code."""
    from sqlalchemy import select

    from ..models import Service

    with db().read_session() as session:
        office = get_office(session)
        return {
            code: float(target)
            for code, target in session.execute(
                select(Service.code, Service.target_wait_minutes).where(
                    Service.office_id == office.id, Service.target_wait_minutes.is_not(None)
                )
            )
        }


@bp.get("/reports")
def reports() -> tuple[str, int]:
    """The report page: any period, grouped by day, hour, service, counter or officer."""
    day = today()
    printable = request.args.get("print") == "1"
    try:
        period, grouping = requested(day)
    except ReportError as error:
        return page(
            "admin/reports.html",
            title="Báo cáo",
            error=gettext(error.message, **error.params),
            report=None,
            args=request.args,
            groupings=GROUPINGS,
            group_labels=GROUP_LABELS,
            presets=presets(day),
            printable=printable,
        ), 422
    results = run(period, tuple(dict.fromkeys((grouping, "day", "hour", "service"))))
    report = results[grouping]
    levels = level_labels(_app(), language())
    return page(
        "admin/reports.html",
        title="Báo cáo",
        error=None,
        report=report,
        charts=charts(results),
        args={"from": period.start.isoformat(), "to": period.end.isoformat(), "group": grouping},
        groupings=GROUPINGS,
        group_labels=GROUP_LABELS,
        presets=presets(day),
        levels=levels,
        level_keys=level_order(report, levels),
        printable=printable,
        minutes=minutes,
        generated=local_time_now(),
    ), 200


def local_time_now() -> str:
    """Now on the office's clock, for "generated at" lines."""
    with db().read_session() as session:
        return f"{local_time(get_office(session), now()):%H:%M %d/%m/%Y}"


def _export(kind: str) -> Response | tuple[str, int]:
    day = today()
    try:
        period, grouping = requested(day)
    except ReportError as error:
        return page(
            "admin/error.html",
            title="Yêu cầu không hợp lệ",
            text=gettext(error.message, **error.params),
        ), 422
    report = run(period, (grouping,))[grouping]
    name = f"bao-cao-{grouping}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    labels = level_labels(_app())
    if kind == "csv":
        body, content_type = csv_bytes(report, labels), CSV_CONTENT_TYPE
    else:
        with db().read_session() as session:
            generated = local_time(get_office(session), now())
        body, content_type = xlsx_bytes(report, labels, generated), XLSX
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@bp.get("/reports/export.csv")
def export_csv() -> Response | tuple[str, int] | BaseResponse:
    """The report as CSV."""
    return _export("csv")


@bp.get("/reports/export.xlsx")
def export_xlsx() -> Response | tuple[str, int] | BaseResponse:
    """The report as an Excel workbook."""
    return _export("xlsx")
