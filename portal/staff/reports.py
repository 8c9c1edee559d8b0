"""The dashboard (figures as SVG charts with text tables) and the register export."""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import Response, render_template, request
from flask_babel import gettext as _

from exporters.register import write_csv, write_xlsx
from portal import clock
from portal.auth.guards import staff_required
from portal.db import get_session
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.charts import bar_chart
from portal.staff.helpers import actor
from rights import audit
from rights.dashboard import default_period, figures
from rights.register import HEADERS, as_table, collect

MAX_DAYS = 3 * 366


def _period(now: datetime) -> tuple[date, date, str | None]:
    start, end = default_period(now)
    try:
        if request.args.get("start"):
            start = date.fromisoformat(request.args["start"][:10])
        if request.args.get("end"):
            end = date.fromisoformat(request.args["end"][:10])
    except ValueError:
        return *default_period(now), _("Give dates as YYYY-MM-DD.")
    if end < start or (end - start).days > MAX_DAYS:
        return *default_period(now), _("The period must run forward and be at most three years.")
    return start, end, None


@bp.get("/dashboard")
@staff_required
def dashboard() -> tuple[str, int]:
    now = clock.now()
    start, end, error = _period(now)
    f = figures(get_session(), now=now, start=start, end=end)
    from portal.staff.case import right_names, state_names

    rights = right_names()

    charts = {
        "states": bar_chart(
            "c-states",
            _("Open requests by state"),
            [(state_names()[s.value], n) for s, n in f.open_by_state.items()],
        ),
        "weeks": bar_chart(
            "c-weeks",
            _("Requests received per week"),
            [(w.isoformat(), n) for w, n in f.per_week],
        ),
        "rights": bar_chart(
            "c-rights",
            _("On-time rate by right (%)"),
            [(rights.get(k, k), round(100 * (g.on_time_rate or 0))) for k, g in f.by_right.items()],
        ),
        "orgs": bar_chart(
            "c-orgs",
            _("Requests received by organisation"),
            [(k, g.received) for k, g in f.by_organisation.items()],
        ),
    }
    return render_template(
        "staff/dashboard.html",
        f=f,
        charts=charts,
        error=error,
        labels=labels,
        by_right={rights.get(k, k): g for k, g in f.by_right.items()},
    ), 422 if error else 200


@bp.get("/register-export")
@staff_required
def register_export() -> Response | tuple[str, int]:
    now = clock.now()
    start, end, error = _period(now)
    kind = request.args.get("format", "csv")
    if error or kind not in ("csv", "xlsx"):
        from portal.errors import render_error

        return render_error(422, error)
    session = get_session()
    rows = collect(session, start, end)
    out = io.BytesIO()
    (write_xlsx if kind == "xlsx" else write_csv)(HEADERS, as_table(rows), out)
    audit.record(
        session,
        "register.exported",
        actor=actor(),
        now=now,
        data={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "format": kind,
            "rows": len(rows),
        },
    )
    session.commit()
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == "xlsx"
        else "text/csv; charset=utf-8"
    )
    name = f"register-{start.isoformat()}-{end.isoformat()}.{kind}"
    return Response(
        out.getvalue(),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
