"""What the controller portal shows of incidents (docs/incidents.md, "Notice to
controllers"): only incidents whose notice went to the contact's organisation, and of each
only what is for that organisation. Internal notes never leave the staff side; another
organisation's questions and answers neither."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from rights.errors import NotFound
from rights.models.incident import Incident, IncidentController, IncidentUpdate, UpdateKind
from rights.models.org import Organisation, OrganisationKind, User
from rights.readmodels.controller import designated_contacts

__all__ = [
    "ControllerIncident",
    "ControllerIncidentRow",
    "controller_incident",
    "controller_incidents",
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


def _told(organisation_id: int) -> list[object]:
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
