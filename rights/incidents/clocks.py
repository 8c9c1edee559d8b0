"""The incident's hour clocks (docs/incidents.md, "The clocks").

Minimal version for the notice work: ``add_controller`` with the signature the register's
clocks use. The full clocks (countdowns, reminders, escalation) replace this module."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.models.incident import Incident, IncidentController
from rights.models.org import Organisation

__all__ = ["add_controller"]


def add_controller(
    session: Session,
    incident: Incident,
    organisation: Organisation,
    *,
    actor: Actor,
    now: datetime,
) -> IncidentController:
    """Add ``organisation`` as a controller whose data is involved: its notice hours from
    its processing agreement (a snapshot) and the deadline counted from discovery, in hours
    (aware UTC arithmetic, so a change of summer time never shifts it). Flushes, audits."""
    hours = organisation.breach_notice_hours or 24
    row = IncidentController(
        incident_id=incident.id,
        organisation_id=organisation.id,
        notice_hours=hours,
        notice_due=incident.discovered_at + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "incident.controller_added",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"organisation_id": organisation.id, "notice_hours": hours},
    )
    return row
