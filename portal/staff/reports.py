"""The dashboard (figures as SVG charts with text tables) and the register export."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from flask import Response, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from exporters.register import write_csv, write_xlsx
from operations.incidents import DEFAULT_REMIND_HOURS
from portal import clock
from portal.auth.guards import staff_required
from portal.db import get_session
from portal.errors import render_error
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.case import right_names, state_names
from portal.staff.charts import bar_chart
from portal.staff.forms import PeriodForm
from portal.staff.helpers import actor
from portal.staff.register_words import headers, table
from rights import audit
from rights.dashboard import Figures, figures
from rights.incidents.queries import IncidentFigures
from rights.incidents.queries import figures as incident_figures
from rights.register import collect

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/dashboard")
@staff_required
def dashboard() -> tuple[str, int]:
    now = clock.now()
    start, end, error = PeriodForm(request.args).period(now)
    f = figures(get_session(), now=now, start=start, end=end)
    rights = right_names()
    return render_template(
        "staff/dashboard.html",
        f=f,
        incidents=_incident_figures(now, start, end),
        charts=_charts(f, rights),
        error=error,
        labels=labels,
        by_right={rights.get(k, k): g for k, g in f.by_right.items()},
    ), 422 if error else 200


def _incident_figures(now: datetime, start: date, end: date) -> IncidentFigures:
    hours = int(current_app.config.get("INCIDENT_REMIND_HOURS") or DEFAULT_REMIND_HOURS)
    window = timedelta(hours=hours)
    return incident_figures(get_session(), now=now, start=start, end=end, window=window)


def _day(day: date) -> str:
    return str(format_date(day, "d MMM yyyy"))


def _charts(f: Figures, rights: dict[str, str]) -> dict[str, Markup]:
    """The dashboard's figures as SVG bar charts (each with its text table)."""
    return {
        "states": bar_chart(
            "c-states",
            _("Open requests by state"),
            [(state_names()[s.value], n) for s, n in f.open_by_state.items()],
        ),
        "weeks": bar_chart(
            "c-weeks",
            _("Requests received per week"),
            [(_day(w), n) for w, n in f.per_week],
        ),
        "rights": bar_chart(
            "c-rights",
            _("On-time rate by right (%)"),
            [(rights.get(k, k), round(100 * (g.on_time_rate or 0))) for k, g in f.by_right.items()],
            fmt="{:g}%",
            peak=100,
        ),
        "orgs": bar_chart(
            "c-orgs",
            _("Requests received by organisation"),
            [(k, g.received) for k, g in f.by_organisation.items()],
        ),
    }


@bp.get("/register-export")
@staff_required
def register_export() -> Response | tuple[str, int]:
    """The register of requests (Art. 5(2) GDPR accountability) as CSV or XLSX; audited."""
    now = clock.now()
    start, end, error = PeriodForm(request.args).period(now)
    kind = request.args.get("format", "csv")
    if error or kind not in MIMETYPES:
        return render_error(422, error)
    session = get_session()
    rows = collect(session, start, end)
    out = io.BytesIO()
    (write_xlsx if kind == "xlsx" else write_csv)(headers(), table(rows), out)
    period = {"start": start.isoformat(), "end": end.isoformat()}
    data = {**period, "format": kind, "rows": len(rows)}
    audit.record(session, "register.exported", actor=actor(), now=now, data=data)
    session.commit()
    name = f"register-{start.isoformat()}-{end.isoformat()}.{kind}"
    return Response(
        out.getvalue(),
        mimetype=MIMETYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
