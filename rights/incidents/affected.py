"""The controllers whose data an incident involves (docs/incidents.md, "Notice to
controllers").

They follow from the incident's data sources (``DataSource.organisation_id``) and data files
(the organisation of the file's source): ``propose`` gives that list, and whether the
operator's own data is involved (a source without an organisation, or the operator's). The
officer confirms or edits the list; ``confirm`` stores it as ``IncidentController`` rows
(through ``clocks.add_controller``, which starts each controller's notice clock). Only
controller organisations can be on it. A controller already told cannot be taken off.
Flushes; the caller commits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import Conflict, ValidationFailed
from rights.incidents.clocks import add_controller
from rights.models.incident import Incident, IncidentController, IncidentState
from rights.models.org import Organisation, OrganisationKind
from rights.models.source import DataFileUpload, DataSource

__all__ = ["Proposal", "confirm", "controller_choices", "propose"]


@dataclass(frozen=True)
class Proposal:
    """What the sources and files involved say: the controllers (by name) and whether the
    operator's own data is involved."""

    controllers: list[Organisation]
    own_data: bool


def _owners(session: Session, incident: Incident) -> list[int | None]:
    """The organisation id of each source involved, directly or through a data file."""
    source_ids = set(incident.source_ids or [])
    if incident.data_file_ids:
        files = select(DataFileUpload.source_id).where(
            DataFileUpload.id.in_(list(incident.data_file_ids))
        )
        source_ids.update(session.scalars(files))
    if not source_ids:
        return []
    rows = select(DataSource.organisation_id).where(DataSource.id.in_(sorted(source_ids)))
    return list(session.scalars(rows))


def propose(session: Session, incident: Incident) -> Proposal:
    owners = _owners(session, incident)
    found = [o for o in owners if o is not None]
    orgs = (
        session.scalars(
            select(Organisation).where(Organisation.id.in_(found)).order_by(Organisation.name)
        ).all()
        if found
        else []
    )
    controllers = [o for o in orgs if o.kind is OrganisationKind.CONTROLLER]
    own = None in owners or any(o.kind is OrganisationKind.OPERATOR for o in orgs)
    return Proposal(list(controllers), own)


def controller_choices(session: Session) -> list[Organisation]:
    """Every controller organisation: what the officer may add to the list."""
    stmt = select(Organisation).where(Organisation.kind == OrganisationKind.CONTROLLER)
    return list(session.scalars(stmt.order_by(Organisation.name, Organisation.id)))


def _chosen(session: Session, organisation_ids: Collection[int]) -> list[Organisation]:
    ids = sorted(set(organisation_ids))
    if not ids:
        return []
    orgs = list(session.scalars(select(Organisation).where(Organisation.id.in_(ids))))
    if len(orgs) != len(ids) or any(o.kind is not OrganisationKind.CONTROLLER for o in orgs):
        raise ValidationFailed("only controllers can be affected", code="not_a_controller")
    return orgs


def confirm(
    session: Session,
    incident: Incident,
    organisation_ids: Collection[int],
    *,
    own_data: bool,
    actor: Actor,
    now: datetime,
) -> list[IncidentController]:
    """Make ``organisation_ids`` the confirmed controllers of ``incident`` and set whether
    the operator's own data is involved. Returns the confirmed rows."""
    if incident.state is IncidentState.CLOSED:
        raise Conflict("the incident is closed", code="incident_closed")
    orgs = _chosen(session, organisation_ids)
    wanted = {o.id for o in orgs}
    rows = {row.organisation_id: row for row in incident.controllers}
    dropped = [row for oid, row in rows.items() if oid not in wanted]
    if any(row.notified_at is not None for row in dropped):
        raise Conflict("a controller already told stays on the list", code="already_notified")
    for row in dropped:
        incident.controllers.remove(row)
        session.delete(row)
    for org in orgs:
        if org.id not in rows:
            row = add_controller(session, incident, org, actor=actor, now=now)
            rows[org.id] = row
            if row not in incident.controllers:
                incident.controllers.append(row)
        rows[org.id].confirmed = True
    incident.own_data = own_data
    session.flush()
    removed = sorted(r.organisation_id for r in dropped)
    audit.record(
        session, "incident.controllers_confirmed", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"organisation_ids": sorted(wanted), "removed": removed, "own_data": own_data},
    )  # fmt: skip
    return [rows[o.id] for o in sorted(orgs, key=lambda o: o.id)]
