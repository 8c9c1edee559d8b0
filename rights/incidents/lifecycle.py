"""The incident's states as a transition table (docs/incidents.md, "The register").

reported -> assessed -> notified -> closed. An incident assessed as no breach, or as a breach
without risk that no controller needs to hear of, closes from ``assessed``; one found not to be
a breach at once closes from ``reported`` (it stays in the register with the reason,
Art. 33(5)). Further information after notice (Art. 33(4)) does not change the state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.models.incident import Incident, IncidentState
from rights.transitions import TransitionTable

__all__ = ["INCIDENT_STATE", "move"]

S = IncidentState
INCIDENT_STATE = TransitionTable[IncidentState](
    "incident",
    {
        S.REPORTED: frozenset({S.ASSESSED, S.CLOSED}),
        S.ASSESSED: frozenset({S.NOTIFIED, S.CLOSED}),
        S.NOTIFIED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
)


def move(
    session: Session,
    incident: Incident,
    target: IncidentState,
    *,
    actor: Actor,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Check the move, make it and audit it (flushes; the caller commits). Audit data holds
    no personal data of the people concerned: states and ids only."""
    previous = incident.state
    incident.state = INCIDENT_STATE.move(previous, target)
    if target is IncidentState.CLOSED:
        incident.closed_at = now
    audit.record(
        session,
        "incident.state_changed",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"from": previous.value, "to": target.value, **(data or {})},
    )
    session.flush()
