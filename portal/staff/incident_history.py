"""An incident's event history in words, from its audit events (docs/incidents.md, "The
register"): who did what when, with field names and states as the officer reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit_labels
from portal.incident_words import _, ngettext, risk_words, state_words, zoned
from portal.words import per_locale
from rights.models.audit import AuditEvent
from rights.models.org import Organisation, User

ACTIONS = per_locale(
    {
        "incident.recorded": _l("Recorded"),
        "incident.facts_changed": _l("Facts changed"),
        "incident.assessed": _l("Assessed"),
        "incident.measures_changed": _l("Measures changed"),
        "incident.state_changed": _l("State changed"),
        "incident.controller_added": _l("Controller added"),
        "incident.notice_sent": _l("Notice sent to the controller"),
        "incident.notice_resent": _l("Notice sent again to the controller"),
        "incident.ap_notified": _l("Notified to the Autoriteit Persoonsgegevens"),
        "incident.clock_reminded": _l("Reminder sent to the officers"),
        "incident.clock_escalated": _l("Escalation sent to the officers and admins"),
    }
)
# Actions that come in runs of reads: one line per person (``_folded``).
FOLDED = frozenset({"incident.viewed", "incident.ap_draft_downloaded"})
FIELDS = per_locale(
    {
        "title": _l("title"),
        "discovered_at": _l("discovered at"),
        "aware_at": _l("aware at"),
        "description": _l("what happened"),
        "data_categories": _l("categories of data"),
        "subject_categories": _l("categories of people"),
        "approx_subjects": _l("number of people"),
        "approx_records": _l("number of records"),
        "source_ids": _l("data sources"),
        "data_file_ids": _l("data files"),
        "own_data": _l("own data"),
        "consequences": _l("consequences"),
        "measures_taken": _l("measures taken"),
        "measures_proposed": _l("measures proposed"),
        "measures_recurrence": _l("measures against recurrence"),
    }
)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    detail: str


def _to_whom(data: dict[str, Any], org: str, users: dict[int | None, str]) -> str:
    """``Bakkerij Jansen, to Jan Jansen``: a notice sent again names who got it."""
    names = [users[i] for i in data.get("contact_ids") or [] if i in users]
    if names:
        return _("%(org)s, to %(names)s", org=org, names=", ".join(names))
    return _("%(org)s, to its e-mail address", org=org)


def _detail(event: AuditEvent, orgs: dict[int, str], users: dict[int | None, str]) -> str:
    data: dict[str, Any] = event.data or {}
    if "fields" in data:
        return ", ".join(FIELDS().get(str(f), str(f)) for f in data["fields"] or [])
    if event.action == "incident.state_changed":
        return _(
            "from %(old)s to %(new)s",
            old=state_words(str(data.get("from"))),
            new=state_words(str(data.get("to"))),
        )
    if event.action == "incident.assessed":
        if not data.get("is_breach"):
            return _("not a personal-data breach")
        return risk_words(str(data.get("risk") or ""))
    org_id = data.get("organisation_id")
    org = str(orgs.get(org_id, "")) if isinstance(org_id, int) else ""
    return _to_whom(data, org, users) if event.action == "incident.notice_resent" else org


def history(session: Session, incident_id: int) -> list[HistoryLine]:
    """Oldest first; three queries whatever the length."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "incident", AuditEvent.object_id == incident_id)
        .order_by(AuditEvent.seq)
    ).all()
    user_ids = {e.actor_id for e in events if e.actor_kind == "user" and e.actor_id}
    user_ids |= {i for e in events if e.data for i in e.data.get("contact_ids") or []}
    org_ids = {e.data.get("organisation_id") for e in events if e.data}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    users: dict[int | None, str] = {row.id: row.name for row in rows}
    org_list = [i for i in org_ids if isinstance(i, int)]
    found = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_list))
    )
    orgs: dict[int, str] = {row.id: row.name for row in found}
    system = _("the portal")
    lines = [
        HistoryLine(
            at=e.occurred_at,
            who=users.get(e.actor_id, system) if e.actor_kind == "user" else system,
            what=str(ACTIONS().get(e.action) or audit_labels.label(e.action)),
            detail=_detail(e, orgs, users),
        )
        for e in events
    ]
    return _folded(lines, [e.action in FOLDED for e in events])


def _folded(lines: list[HistoryLine], fold: list[bool]) -> list[HistoryLine]:
    """Each person's repeated reads as one line at the last, with the count and the
    first time, so the history does not grow with every view (the events all stay)."""
    groups: dict[tuple[str, str, str], list[HistoryLine]] = {}
    for line, folds in zip(lines, fold, strict=True):
        if folds:
            groups.setdefault((line.who, line.what, line.detail), []).append(line)
    kept: list[HistoryLine] = []
    for line, folds in zip(lines, fold, strict=True):
        same = groups.get((line.who, line.what, line.detail), []) if folds else []
        if not same or len(same) == 1:
            kept.append(line)
        elif line is same[-1]:
            times = ngettext(
                "%(num)d time, the first on %(when)s", "%(num)d times, the first on %(when)s",
                len(same), when=zoned(same[0].at),
            )  # fmt: skip
            detail = f"{line.detail} · {times}" if line.detail else times
            kept.append(HistoryLine(at=line.at, who=line.who, what=line.what, detail=detail))
    return kept
