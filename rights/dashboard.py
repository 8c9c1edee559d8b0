"""Figures for the workspace dashboard: open requests by state, requests received per week,
on-time rate, median days to answer, extensions as a share of requests (EDPB GL 01/2022
§162: extension "should not be overused"), per right and per organisation.

Definitions (stated on the page too):
- the period selects requests by their receipt date (Amsterdam) in ``[start, end]``;
- *answered* = an answer was sent (``answered_at`` set);
- *on time* = answered before the end of the effective due date (extended if extended);
  an open request whose due date has passed counts as late;
- *days to answer* = calendar days from the receipt date to the local answer date.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.deadlines import AMSTERDAM, local_date
from rights.models.org import Organisation
from rights.models.request import RequestState, RightsRequest
from rights.queue import state_counts


@dataclass
class Group:
    received: int = 0
    decided: int = 0  # answered, or open past its due date
    on_time: int = 0
    extended: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def extension_share(self) -> float | None:
        return self.extended / self.received if self.received else None

    @property
    def median_days(self) -> float | None:
        return float(median(self.days)) if self.days else None


@dataclass
class Figures:
    start: date
    end: date
    open_by_state: dict[RequestState, int]
    per_week: list[tuple[date, int]]
    total: Group
    by_right: dict[str, Group]
    by_organisation: dict[str, Group]


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def figures(session: Session, *, now: datetime, start: date, end: date) -> Figures:
    """Compute the dashboard for requests received between ``start`` and ``end`` (local
    dates, inclusive)."""
    rr = RightsRequest
    rows = session.execute(
        select(
            rr.right,
            rr.state,
            rr.receipt_date,
            rr.answered_at,
            rr.extended,
            rr.due_end,
            rr.extended_due_end,
            Organisation.name,
        )
        .outerjoin(Organisation, Organisation.id == rr.organisation_id)
        .where(rr.receipt_date >= start, rr.receipt_date <= end)
    ).all()
    total = Group()
    by_right: dict[str, Group] = {}
    by_org: dict[str, Group] = {}
    weeks: Counter[date] = Counter()
    for right, state, receipt, answered_at, extended, due_end, ext_end, org_name in rows:
        weeks[_week_start(receipt)] += 1
        end_instant = ext_end if extended else due_end
        groups = (
            total,
            by_right.setdefault(str(right.value), Group()),
            by_org.setdefault(org_name or "-", Group()),
        )
        for g in groups:
            g.received += 1
            g.extended += bool(extended)
            if answered_at is not None and state is not RequestState.WITHDRAWN:
                g.decided += 1
                g.on_time += answered_at < end_instant
                g.days.append((local_date(answered_at) - receipt).days)
            elif state is not RequestState.WITHDRAWN and answered_at is None and now >= end_instant:
                g.decided += 1  # open and past due: late
    per_week = []
    week = _week_start(start)
    while week <= end:
        per_week.append((week, weeks.get(week, 0)))
        week += timedelta(days=7)
    return Figures(
        start=start,
        end=end,
        open_by_state=state_counts(session),
        per_week=per_week,
        total=total,
        by_right=dict(sorted(by_right.items())),
        by_organisation=dict(sorted(by_org.items())),
    )


def default_period(now: datetime, weeks: int = 12) -> tuple[date, date]:
    today = now.astimezone(AMSTERDAM).date()
    return _week_start(today) - timedelta(weeks=weeks - 1), today
