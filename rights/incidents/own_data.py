"""When we are the controller (docs/incidents.md, "When we are the controller"): recording
the notification to the Autoriteit Persoonsgegevens (Art. 33(1)), the decision whether the
people concerned are told (Art. 34(1), (3)), and the letters to them through the outbox.

The addresses of the people concerned go only into the outbox; the audit data holds the
count. Flushes; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import Conflict, ValidationFailed
from rights.incidents.notice import check_open
from rights.models.incident import Incident, SubjectsDecision
from rights.outbox import queue_mail

__all__ = [
    "GROUNDS",
    "LANGUAGES",
    "MAX_ADDRESSES",
    "decide_subjects",
    "notify_subjects",
    "parse_addresses",
    "set_cross_border",
]

# A decision not to tell the people concerned names one of these (Art. 34(1), (3)).
GROUNDS = ("no_high_risk", "art_34_3_a", "art_34_3_b", "art_34_3_c")
LANGUAGES = ("nl", "en")
MAX_ADDRESSES = 50_000
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


def _own(incident: Incident) -> None:
    check_open(incident)
    if not incident.own_data:
        raise ValidationFailed("not our own data", code="not_own_data")


def set_cross_border(
    session: Session, incident: Incident, value: bool, *, actor: Actor, now: datetime
) -> None:
    """Whether people in more than one member state are concerned (the AP's form asks)."""
    _own(incident)
    incident.cross_border = value
    session.flush()
    audit.record(
        session, "incident.cross_border_set", actor=actor, now=now,
        object_type="incident", object_id=incident.id, data={"cross_border": value},
    )  # fmt: skip


def decide_subjects(
    session: Session,
    incident: Incident,
    decision: SubjectsDecision,
    *,
    ground: str,
    reasons: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Art. 34: tell the people concerned, or not (then a ground and reasons are required).
    Once they were told the decision stands."""
    _own(incident)
    if incident.subjects_notified_at is not None:
        raise Conflict("the people concerned were told", code="subjects_notified")
    if decision is SubjectsDecision.UNDECIDED:
        raise ValidationFailed("decide", code="decision_required")
    if decision is SubjectsDecision.NOT_REQUIRED:
        if ground not in GROUNDS:
            raise ValidationFailed("name the ground", code="ground_required")
        if not reasons.strip():
            raise ValidationFailed("give the reasons", code="reasons_required")
    else:
        ground = ""
    incident.subjects_decision, incident.subjects_ground = decision, ground
    incident.subjects_reasons = reasons.strip()
    session.flush()
    audit.record(
        session, "incident.subjects_decided", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"decision": decision.value, "ground": ground},
    )  # fmt: skip


def parse_addresses(values: Iterable[str]) -> list[str]:
    """The distinct e-mail addresses in ``values`` (each a line, a cell or a list separated
    by commas, semicolons or white space), lower-cased; anything else is refused."""
    found: dict[str, None] = {}
    for value in values:
        for part in re.split(r"[\s,;]+", value.strip()):
            if not part:
                continue
            if not EMAIL.fullmatch(part):
                raise ValidationFailed("not an e-mail address", code="bad_address")
            found[part.lower()] = None
            if len(found) > MAX_ADDRESSES:
                raise ValidationFailed("too many", code="too_many_addresses", max=MAX_ADDRESSES)
    if not found:
        raise ValidationFailed("no addresses", code="no_addresses")
    return list(found)


def notify_subjects(
    session: Session,
    incident: Incident,
    addresses: list[str],
    *,
    language: str,
    actor: Actor,
    now: datetime,
) -> int:
    """Queue the Art. 34 letter in ``language`` to each address; record
    ``subjects_notified_at`` (the first mailing). Audits the count, never an address."""
    _own(incident)
    if incident.subjects_decision is not SubjectsDecision.NOTIFY:
        raise Conflict("decide to tell them first", code="not_decided_to_notify")
    if language not in LANGUAGES:
        raise ValidationFailed("unknown language", code="bad_language")
    for to in addresses:
        queue_mail(
            session, to=to, template="incident_subjects", language=language, now=now,
            context={"incident_id": incident.id},
        )  # fmt: skip
    incident.subjects_notified_at = incident.subjects_notified_at or now
    session.flush()
    audit.record(
        session, "incident.subjects_notified", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"language": language, "count": len(addresses)},
    )  # fmt: skip
    return len(addresses)
