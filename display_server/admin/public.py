"""The public transparency page (/cong-khai): today's and this month's waiting and service
times per service, and the satisfaction rate — no sign-in, readable on a phone and on the
waiting-room display (it refreshes itself every minute)."""

from __future__ import annotations

from sqlalchemy import select

from ..models import Service
from ..queue.clock import local_day, local_time
from ..queue.lookups import get_office
from ..reports import Figures, Period
from . import reporting
from .blueprint import db, now, page, public_bp

REFRESH_SECONDS = 60


@public_bp.get("/cong-khai")
def transparency() -> str:
    """Average waiting and service times per service, today and this month; satisfaction."""
    with db().read_session() as session:
        office = get_office(session)
        day = local_day(office, now())
    today = reporting.reports(Period(day, day), ("service",))["service"]
    month = reporting.reports(Period.month_of(day), ("service",))["service"]
    with db().read_session() as session:
        office = get_office(session)
        updated = local_time(office, now())
        english = {
            row.code: row.name_en
            for row in session.execute(
                select(Service.code, Service.name_en).where(Service.office_id == office.id)
            )
        }
        header = {"name": office.name, "unit": office.unit}
    today_rows = {row.key: row.figures for row in today.rows}
    rows = [
        {
            "code": row.key,
            "name": row.label,
            "name_en": english.get(str(row.key)) or row.label,
            "today": today_rows.get(row.key, Figures()),
            "month": row.figures,
        }
        for row in month.rows
        if row.key is not None
    ]
    return page(
        "admin/public.html",
        title="Công khai thời gian giải quyết",
        rows=rows,
        today_total=today.total,
        month_total=month.total,
        office=header,
        day=day,
        updated=f"{updated:%H:%M %d/%m/%Y}",
        refresh=REFRESH_SECONDS,
    )
