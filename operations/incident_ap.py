"""When we are the controller, as use cases (docs/incidents.md, "When we are the
controller"): the draft of the notification to the Autoriteit Persoonsgegevens as JSON
(versioned keys) and PDF, recording that the AP was notified, the Art. 34 decision and the
letters to the people concerned (the addresses entered or read from a CSV or XLSX file
through the data-file reader). Each flushes; the edge commits once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import select

from operations.certificates import Rendered, render_pdf
from operations.context import Context
from operations.incident_notice import load
from rights.audit import record
from rights.deadlines import AMSTERDAM
from rights.errors import ValidationFailed
from rights.incidents import clocks, own_data
from rights.models.incident import Incident, SubjectsDecision
from rights.models.org import Organisation, OrganisationKind
from rights.sources.filereader import open_data_file

__all__ = [
    "AP_SCHEMA",
    "AP_VERSION",
    "addresses_from_file",
    "ap_draft",
    "decide_subjects",
    "download_draft",
    "notify_subjects",
    "set_cross_border",
]

AP_SCHEMA = "dsr-portal/ap-breach-notification"
AP_VERSION = 1


def _local(value: datetime | None) -> str | None:
    return value.astimezone(AMSTERDAM).isoformat() if value is not None else None


def _operator(ctx: Context) -> dict[str, Any]:
    org = ctx.session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.OPERATOR)
        .order_by(Organisation.id)
        .limit(1)
    )
    if org is None:
        return {"name": "", "address": "", "website": "", "contact": {}}
    return {
        "name": org.name, "address": org.address, "website": org.website,
        "contact": {"name": org.contact_name, "email": org.contact_email,
                    "phone": org.contact_phone},
    }  # fmt: skip


def _draft_due(incident: Incident) -> datetime | None:
    """72 hours after awareness, for the draft even before the risk is assessed (the
    register's clock, ``clocks.ap_due``, runs only once a risk was found)."""
    return clocks.ap_due(incident) or (
        incident.aware_at + timedelta(hours=clocks.AP_HOURS) if incident.aware_at else None
    )


def _late(incident: Incident, now: datetime) -> dict[str, Any]:
    due = _draft_due(incident)
    at = incident.ap_notified_at or now
    return {
        "due": _local(due),
        "beyond_72_hours": due is not None and at > due,
        "reasons": incident.ap_delay_reasons,
    }


def ap_draft(ctx: Context, incident: Incident) -> dict[str, Any]:
    """The fields of the AP's breach form, filled from the incident (docs/incidents.md
    lists the keys; version 1: keys are added, never removed or renamed)."""
    return {
        "schema": AP_SCHEMA, "version": AP_VERSION, "time_zone": "Europe/Amsterdam",
        "incident": {"reference": incident.reference, "title": incident.title},
        "controller": _operator(ctx),
        "what_happened": incident.description,
        "discovered_at": _local(incident.discovered_at),
        "aware_at": _local(incident.aware_at),
        "nature": {
            "data_categories": list(incident.data_categories or []),
            "subject_categories": list(incident.subject_categories or []),
            "approx_subjects": incident.approx_subjects,
            "approx_records": incident.approx_records,
        },
        "consequences": incident.consequences,
        "measures": {"taken": incident.measures_taken, "proposed": incident.measures_proposed},
        "risk": {"level": incident.risk.value if incident.risk else None,
                 "reasons": incident.risk_reasons},
        "people_informed": {
            "decision": incident.subjects_decision.value,
            "ground": incident.subjects_ground, "reasons": incident.subjects_reasons,
            "how": "e-mail" if incident.subjects_decision is SubjectsDecision.NOTIFY else None,
            "notified_at": _local(incident.subjects_notified_at),
        },
        "cross_border": incident.cross_border,
        "late_notification": _late(incident, ctx.now()),
        "ap": {"notified_at": _local(incident.ap_notified_at), "reference": incident.ap_reference},
    }  # fmt: skip


def download_draft(ctx: Context, incident_id: int, fmt: str) -> Rendered:
    """The draft as ``json`` or ``pdf`` (in the context's language), audited."""
    incident = load(ctx, incident_id)
    if not incident.own_data:
        raise ValidationFailed("not our own data", code="not_own_data")
    payload = ap_draft(ctx, incident)
    name = f"ap-notification-{incident.reference}"
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True).encode()
        rendered = Rendered(body, "application/json", f"{name}.json")
    else:
        texts = ctx.texts()
        html = texts.render(
            "incidents/ap_draft.html",
            d=payload,
            i=incident,
            due=_draft_due(incident),
            texts=texts,
        )
        rendered = Rendered(render_pdf(html), "application/pdf", f"{name}.pdf")
    record(
        ctx.session, "incident.ap_draft_downloaded", actor=ctx.actor, now=ctx.now(),
        object_type="incident", object_id=incident.id, data={"format": fmt},
    )  # fmt: skip
    return rendered


def set_cross_border(ctx: Context, incident_id: int, value: bool) -> None:
    own_data.set_cross_border(
        ctx.session, load(ctx, incident_id), value, actor=ctx.actor, now=ctx.now()
    )


def decide_subjects(
    ctx: Context, incident_id: int, decision: SubjectsDecision, *, ground: str, reasons: str
) -> None:
    own_data.decide_subjects(
        ctx.session, load(ctx, incident_id), decision, ground=ground, reasons=reasons,
        actor=ctx.actor, now=ctx.now(),
    )  # fmt: skip


def addresses_from_file(stream: BinaryIO, filename: str) -> list[str]:
    """The e-mail addresses of an uploaded list: the columns the file reader recognises as
    e-mail addresses, each row's cell (the rows are not kept)."""
    with open_data_file(stream, filename) as data:
        columns = [c for c, role in data.column_roles.items() if role == "email"]
        if not columns:
            raise ValidationFailed("no e-mail column", code="no_email_column")
        cells = (str(row.get(c) or "") for row in data.rows() for c in columns)
        return own_data.parse_addresses(cells)


def notify_subjects(ctx: Context, incident_id: int, addresses: list[str], language: str) -> int:
    return own_data.notify_subjects(
        ctx.session, load(ctx, incident_id), addresses, language=language, actor=ctx.actor,
        now=ctx.now(),
    )  # fmt: skip
