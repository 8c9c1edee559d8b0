"""What a controller's contacts do with a notice (docs/incidents.md, "Notice to
controllers"): a designated contact acknowledges it; any contact of the organisation asks a
question, which the officers are mailed about; an officer answers it. Every step is audited
with ids only. Flushes; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.controllers.authority import is_designated
from rights.errors import Conflict, NotFound, PermissionDenied
from rights.incidents.notice import check_body, check_open, confirmed, mail_controller, told
from rights.models.incident import Incident, IncidentController, IncidentUpdate, UpdateKind
from rights.models.org import Role, User
from rights.outbox import queue_mail
from rights.users import active_staff

__all__ = ["acknowledge", "answer", "ask", "told_row"]


def told_row(incident: Incident, organisation_id: int) -> IncidentController:
    """The confirmed controller row of ``organisation_id`` once it was told; else a 404
    (a controller sees an incident only after its notice)."""
    row = confirmed(incident, organisation_id)[0]
    if row.notified_at is None:
        raise NotFound("not told yet", code="not_found")
    return row


def _contact_row(incident: Incident, contact: User) -> IncidentController:
    if contact.role is not Role.CONTROLLER or contact.organisation_id is None:
        raise NotFound("not a controller contact", code="not_found")
    return told_row(incident, contact.organisation_id)


def acknowledge(
    session: Session, incident: Incident, contact: User, *, now: datetime
) -> IncidentController:
    """A designated contact confirms receipt of the notice (once; later ones are refused)."""
    row = _contact_row(incident, contact)
    if not is_designated(contact, row.organisation):
        raise PermissionDenied("only designated contacts acknowledge", code="not_designated")
    if row.acknowledged_at is not None:
        raise Conflict("already acknowledged", code="already_acknowledged")
    row.acknowledged_at, row.acknowledged_by_id = now, contact.id
    session.flush()
    audit.record(
        session, "incident.acknowledged", actor=Actor.user(contact.id), now=now,
        object_type="incident", object_id=incident.id,
        data={"organisation_id": row.organisation_id, "within_hours": now <= row.notice_due},
    )  # fmt: skip
    return row


def ask(
    session: Session, incident: Incident, contact: User, body: str, *, now: datetime
) -> IncidentUpdate:
    """A question from a contact of a controller that was told; every active officer is
    mailed (the reference and a link, not the question)."""
    row = _contact_row(incident, contact)
    check_open(incident)
    question = IncidentUpdate(
        incident_id=incident.id, organisation_id=row.organisation_id, kind=UpdateKind.QUESTION,
        body=check_body(body), author_id=contact.id, created_at=now,
    )  # fmt: skip
    session.add(question)
    session.flush()
    staff = active_staff(session)
    for officer in staff:
        queue_mail(
            session, to=officer.email, template="incident_question",
            language=officer.language or "nl", now=now,
            context={"incident_id": incident.id, "organisation_id": row.organisation_id},
        )  # fmt: skip
    audit.record(
        session, "incident.question_asked", actor=Actor.user(contact.id), now=now,
        object_type="incident", object_id=incident.id,
        data={"update_id": question.id, "organisation_id": row.organisation_id,
              "recipients": len(staff)},
    )  # fmt: skip
    return question


def answer(
    session: Session,
    incident: Incident,
    organisation_id: int,
    body: str,
    *,
    actor: Actor,
    now: datetime,
) -> IncidentUpdate:
    """The officer's answer to one controller; its contacts are mailed that it is there."""
    check_open(incident)
    row = told(confirmed(incident, organisation_id))[0]
    reply = IncidentUpdate(
        incident_id=incident.id, organisation_id=organisation_id, kind=UpdateKind.ANSWER,
        body=check_body(body), author_id=actor.id, created_at=now,
    )  # fmt: skip
    session.add(reply)
    session.flush()
    sent = mail_controller(session, incident, row.organisation, "incident_answer", now)
    audit.record(
        session, "incident.answer_sent", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"update_id": reply.id, "organisation_id": organisation_id, "recipients": sent},
    )  # fmt: skip
    return reply
