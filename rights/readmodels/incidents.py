"""What the controller portal shows of incidents (docs/incidents.md, "Notice to
controllers"): only incidents whose notice went to the contact's organisation, and of each
only what is for that organisation. Internal notes never leave the staff side; another
organisation's questions and answers neither."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from rights.errors import NotFound
from rights.incidents.affected import Proposal, controller_choices, propose
from rights.models.incident import Incident, IncidentController, IncidentUpdate, UpdateKind
from rights.models.org import Organisation, OrganisationKind, User
from rights.readmodels.controller import designated_contacts

__all__ = [
    "ControllerIncident",
    "ControllerIncidentRow",
    "StaffNotice",
    "controller_incident",
    "controller_incidents",
    "staff_notice",
    "staff_updates",
    "visible_updates",
]

SHOWN = (UpdateKind.FOLLOW_UP, UpdateKind.QUESTION, UpdateKind.ANSWER)


@dataclass(frozen=True)
class ControllerIncidentRow:
    incident: Incident
    link: IncidentController


@dataclass(frozen=True)
class ControllerIncident:
    incident: Incident
    link: IncidentController
    updates: list[IncidentUpdate]
    acknowledged_by: User | None
    operator: Organisation | None
    contacts: list[User]


def _told(organisation_id: int) -> list[ColumnElement[bool]]:
    return [
        IncidentController.organisation_id == organisation_id,
        IncidentController.confirmed.is_(True),
        IncidentController.notified_at.is_not(None),
    ]


def controller_incidents(session: Session, organisation_id: int) -> list[ControllerIncidentRow]:
    """The incidents the organisation was told of, newest discovery first."""
    stmt = (
        select(Incident, IncidentController)
        .join(IncidentController, IncidentController.incident_id == Incident.id)
        .where(*_told(organisation_id))
        .order_by(Incident.discovered_at.desc(), Incident.id.desc())
    )
    return [ControllerIncidentRow(i, link) for i, link in session.execute(stmt).all()]


def visible_updates(
    session: Session, incident_id: int, organisation_id: int
) -> list[IncidentUpdate]:
    """Follow-ups to everyone or to this organisation, and its own questions and answers."""
    stmt = select(IncidentUpdate).where(
        IncidentUpdate.incident_id == incident_id,
        IncidentUpdate.kind.in_(SHOWN),
        or_(
            IncidentUpdate.organisation_id == organisation_id,
            (IncidentUpdate.organisation_id.is_(None))
            & (IncidentUpdate.kind == UpdateKind.FOLLOW_UP),
        ),
    )
    return list(session.scalars(stmt.order_by(IncidentUpdate.created_at, IncidentUpdate.id)))


def staff_updates(session: Session, incident_id: int) -> list[IncidentUpdate]:
    """Every message on the incident, for the officers."""
    stmt = select(IncidentUpdate).where(IncidentUpdate.incident_id == incident_id)
    return list(session.scalars(stmt.order_by(IncidentUpdate.created_at, IncidentUpdate.id)))


def controller_incident(
    session: Session, organisation_id: int, incident_id: int
) -> ControllerIncident:
    """The incident page of one organisation; ``NotFound`` unless it was told of it."""
    stmt = (
        select(Incident, IncidentController)
        .join(IncidentController, IncidentController.incident_id == Incident.id)
        .where(Incident.id == incident_id, *_told(organisation_id))
        .options(selectinload(Incident.controllers))
    )
    found = session.execute(stmt).first()
    if found is None:
        raise NotFound("no such incident", code="not_found")
    incident, link = found
    operator = session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.OPERATOR)
        .order_by(Organisation.id)
        .limit(1)
    )
    by = session.get(User, link.acknowledged_by_id) if link.acknowledged_by_id else None
    return ControllerIncident(
        incident, link, visible_updates(session, incident.id, organisation_id), by, operator,
        list(designated_contacts(session, organisation_id)),
    )  # fmt: skip


@dataclass(frozen=True)
class StaffNotice:
    """The officer's notice section: the proposal, the choices, each controller's row with
    who acknowledged, and every message (notes included)."""

    incident: Incident
    proposal: Proposal
    choices: list[Organisation]
    rows: list[IncidentController]
    acknowledged_by: dict[int, User]
    updates: list[IncidentUpdate]


def staff_notice(session: Session, incident_id: int) -> StaffNotice:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("no such incident", code="not_found")
    rows = list(incident.controllers)
    ids = [r.acknowledged_by_id for r in rows if r.acknowledged_by_id is not None]
    users = session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return StaffNotice(
        incident, propose(session, incident), controller_choices(session), rows,
        {u.id: u for u in users}, staff_updates(session, incident_id),
    )  # fmt: skip
