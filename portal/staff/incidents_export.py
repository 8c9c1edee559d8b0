"""The incident register as XLSX or CSV for the accountability file (Art. 33(5) GDPR;
docs/incidents.md, "The register export"): the facts, dates in Amsterdam time, categories,
numbers, risk, decisions, measures, and per controller when it was told and when it
acknowledged. No personal data of the people concerned: no names, addresses or records,
only what the officer wrote as facts. Every text cell goes through the formula escaper
(``exporters.register``); headers and values in the officer's language. Audited."""

from __future__ import annotations

import io
from datetime import datetime

from flask import Response, abort
from flask_babel import lazy_gettext as _l

from exporters.register import write_csv, write_xlsx
from portal import clock
from portal.auth.guards import staff_required
from portal.db import get_session
from portal.incident_words import _, risk_words, state_words, zoned
from portal.staff.blueprint import bp
from portal.staff.helpers import actor
from rights import audit
from rights.incidents.clocks import ap_due
from rights.incidents.queries import all_incidents
from rights.models.incident import Incident, IncidentController, SubjectsDecision

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADERS = (
    _l("Reference"),
    _l("Title"),
    _l("State"),
    _l("Discovered (Amsterdam time)"),
    _l("Aware it is a breach (Amsterdam time)"),
    _l("What happened"),
    _l("Categories of personal data"),
    _l("Categories of people concerned"),
    _l("Approximate number of people"),
    _l("Approximate number of records"),
    _l("Our own data"),
    _l("Likely consequences"),
    _l("Breach"),
    _l("Why not a breach"),
    _l("Risk"),
    _l("Reasons for the risk"),
    _l("Measures taken"),
    _l("Measures proposed"),
    _l("Measures against recurrence"),
    _l("Controllers: notice due, notified, acknowledged"),
    _l("AP notification due"),
    _l("AP notified"),
    _l("People concerned told"),
    _l("Closed"),
)
DECISIONS = {
    SubjectsDecision.UNDECIDED: _l("not decided"),
    SubjectsDecision.NOTIFY: _l("yes, they are told"),
    SubjectsDecision.NOT_REQUIRED: _l("not required"),
}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else _("yes") if value else _("no")


def _when(value: datetime | None) -> str:
    return zoned(value) if value else ""


def _controller(row: IncidentController) -> str:
    return _(
        "%(org)s: due %(due)s, notified %(notified)s, acknowledged %(ack)s",
        org=row.organisation.name,
        due=_when(row.notice_due),
        notified=_when(row.notified_at) or _("not yet"),
        ack=_when(row.acknowledged_at) or _("not yet"),
    )


def _row(i: Incident) -> list[object]:
    return [
        i.reference,
        i.title,
        state_words(i.state),
        _when(i.discovered_at),
        _when(i.aware_at),
        i.description,
        "; ".join(i.data_categories or []),
        "; ".join(i.subject_categories or []),
        i.approx_subjects,
        i.approx_records,
        _yes_no(i.own_data),
        i.consequences,
        _yes_no(i.is_breach),
        i.not_breach_reason,
        risk_words(i.risk),
        i.risk_reasons,
        i.measures_taken,
        i.measures_proposed,
        i.measures_recurrence,
        " | ".join(_controller(c) for c in i.controllers if c.confirmed),
        _when(ap_due(i)),
        _when(i.ap_notified_at),
        str(DECISIONS[i.subjects_decision]),
        _when(i.closed_at),
    ]


@bp.get("/incidents/export.<fmt>")
@staff_required
def incidents_export(fmt: str) -> Response:
    if fmt not in MIMETYPES:
        abort(404)
    session = get_session()
    incidents = all_incidents(session)
    out = io.BytesIO()
    rows = [_row(i) for i in reversed(incidents)]  # oldest first
    (write_xlsx if fmt == "xlsx" else write_csv)([str(h) for h in HEADERS], rows, out)
    data = {"format": fmt, "rows": len(rows)}
    audit.record(session, "incident.register_exported", actor=actor(), now=clock.now(), data=data)
    session.commit()
    name = f"incident-register-{clock.now().date().isoformat()}.{fmt}"
    return Response(
        out.getvalue(),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
