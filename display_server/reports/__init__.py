"""Reports: how long citizens wait, how long procedures take, who serves, how satisfied people are.

Pure functions over a SQLAlchemy session (no Flask). `compute_report(session, office, period,
grouping)` answers for local days `period.start`..`period.end` grouped by day, hour, service,
counter or officer; `csv_bytes` / `xlsx_bytes` export it. Given a `RollupStore`, closed days
come from per-day rollups kept in the database (rollups.py) instead of the tickets.

Definitions (every figure; the docs repeat them in docs/admin.md):

- Period: a ticket belongs to the period when its local day (`Ticket.local_day`, the office's
  calendar day at issue, in the office's time zone) lies in it. All of a ticket's steps and
  ratings go with it, so a ticket is never split between two periods.
- Groups. *day*: the ticket's local day. *hour*: the local hour (office time zone) of issue —
  the hour the citizen arrived. *service*: for ticket figures the service the ticket was issued
  for; for step figures and ratings the step's service. *counter* / *officer*: for ticket
  figures the counter / officer of the first call; for step figures the step's counter /
  officer; for ratings the counter / officer stored with the rating. Tickets never called are
  grouped under the key None ("Chưa gọi").
- issued: tickets issued. cancelled: tickets whose status is cancelled (withdrawn).
- served: steps with outcome "done" (each procedure served counts once, so a bundled or
  transferred ticket can count more than once). no_show: steps with outcome "no_show" (a
  number called back after a no-show counts once as no-show and once as served).
  transferred: steps with outcome "transferred".
- waiting time (per ticket) = first step's called_at − ticket's issued_at; tickets never
  called have none.
- service time (per step) = finished_at − started_at, for steps with outcome "done" (a step
  finished without "start" started at its call).
- average: arithmetic mean; median and p90: linear interpolation between closest ranks (see
  `stats.percentile`: Excel PERCENTILE.INC, PostgreSQL percentile_cont).
- within target: among tickets with a waiting time whose issue service has a target wait,
  the share with waiting time ≤ target (minutes × 60 s).
- satisfaction: ratings of the period's steps; counts per level, the mean score, and the
  satisfaction rate = ratings with score ≥ `satisfied_score` ÷ all ratings.
"""

from __future__ import annotations

from .cache import ReportCache, data_version
from .errors import ReportError
from .export import csv_bytes, xlsx_bytes
from .figures import Figures
from .live import late_tickets, live_overview
from .periods import GROUPINGS, Grouping, Period, parse_grouping, parse_period
from .queries import (
    DEFAULT_SATISFIED_SCORE,
    UNASSIGNED_LABEL,
    Report,
    ReportRow,
    compute_report,
    compute_reports,
    period_figures,
)
from .rollups import RollupStore
from .stats import DurationSummary, percentile

__all__ = [
    "DEFAULT_SATISFIED_SCORE",
    "GROUPINGS",
    "UNASSIGNED_LABEL",
    "DurationSummary",
    "Figures",
    "Grouping",
    "Period",
    "Report",
    "ReportCache",
    "ReportError",
    "ReportRow",
    "RollupStore",
    "compute_report",
    "compute_reports",
    "csv_bytes",
    "data_version",
    "late_tickets",
    "live_overview",
    "parse_grouping",
    "parse_period",
    "percentile",
    "period_figures",
    "xlsx_bytes",
]
