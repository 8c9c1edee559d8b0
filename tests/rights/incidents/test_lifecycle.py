"""The incident lifecycle is a table; every move is audited (docs/incidents.md)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import SYSTEM
from rights.errors import InvalidTransition
from rights.incidents.lifecycle import INCIDENT_STATE, move
from rights.models.audit import AuditEvent
from rights.models.incident import Incident, IncidentState


def _incident(session: Session, now: datetime) -> Incident:
    incident = Incident(
        reference="INC-TEST-1", title="Lost laptop", discovered_at=now, created_at=now
    )
    session.add(incident)
    session.flush()
    return incident


def test_the_table_has_every_state_and_closed_is_final() -> None:
    assert set(INCIDENT_STATE.allowed) == set(IncidentState)
    assert INCIDENT_STATE.final(IncidentState.CLOSED)


def test_moves_are_checked_and_audited(db_session: Session, now: datetime) -> None:
    incident = _incident(db_session, now)
    with pytest.raises(InvalidTransition):
        move(db_session, incident, IncidentState.NOTIFIED, actor=SYSTEM, now=now)
    move(db_session, incident, IncidentState.ASSESSED, actor=SYSTEM, now=now)
    move(db_session, incident, IncidentState.CLOSED, actor=SYSTEM, now=now)
    assert incident.closed_at == now
    audit.write_pending(db_session)
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.state_changed")
    ).all()
    assert [e.data["to"] for e in events] == ["assessed", "closed"]
