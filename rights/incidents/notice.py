"""The notice to each confirmed controller and the information that follows in phases
(docs/incidents.md, "Notice to controllers"; Art. 33(2), (4)).

The mails carry no details of the incident: its reference, the controller's name and a
link to the controller portal, where the contacts read the Art. 33(3) information. They go
to the organisation's designated contacts, or to its contact e-mail address when it has
none. Audit data holds ids and counts only. Flushes; the caller commits."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.controllers.routing import designated_contacts
from rights.errors import Conflict, NotFound, ValidationFailed
from rights.incidents.lifecycle import move
from rights.models.incident import (
    Incident,
    IncidentController,
    IncidentState,
    IncidentUpdate,
    UpdateKind,
)
from rights.models.org import Organisation
from rights.outbox import queue_mail

__all__ = [
    "MAX_BODY",
    "Resent",
    "check_body",
    "check_open",
    "confirmed",
    "follow_up",
    "mail_controller",
    "recipients",
    "resend_notice",
    "send_notice",
    "settle_state",
    "told",
]

MAX_BODY = 5000


def recipients(session: Session, organisation: Organisation) -> list[tuple[str, str]]:
    """(address, language) of each designated contact, else the organisation's address."""
    contacts = designated_contacts(session, organisation)
    if contacts:
        return [(c.email, c.language or "nl") for c in contacts]
    return [(organisation.contact_email, "nl")] if organisation.contact_email else []


def mail_controller(
    session: Session, incident: Incident, organisation: Organisation, template: str, now: datetime
) -> int:
    """Queue ``template`` about ``incident`` to ``organisation``'s recipients (ids only in
    the context). Returns how many were queued."""
    found = recipients(session, organisation)
    for to, language in found:
        queue_mail(
            session, to=to, template=template, language=language, now=now,
            context={"incident_id": incident.id, "organisation_id": organisation.id},
        )  # fmt: skip
    return len(found)


def confirmed(incident: Incident, organisation_id: int | None = None) -> list[IncidentController]:
    """The confirmed controllers of ``incident`` (or the one of ``organisation_id``:
    ``NotFound`` when it is not one of them)."""
    rows = [row for row in incident.controllers if row.confirmed]
    if organisation_id is None:
        return rows
    rows = [row for row in rows if row.organisation_id == organisation_id]
    if not rows:
        raise NotFound("not a controller of this incident", code="not_found")
    return rows


def check_open(incident: Incident) -> None:
    if incident.state is IncidentState.CLOSED:
        raise Conflict("the incident is closed", code="incident_closed")


def settle_state(session: Session, incident: Incident, *, actor: Actor, now: datetime) -> bool:
    """Move an assessed incident to *notified* once every confirmed controller has been
    told. A notice sent before the assessment (a suspected breach, within the hours) leaves
    the state; calling this after the assessment moves it then."""
    rows = confirmed(incident)
    if incident.state is not IncidentState.ASSESSED or not rows:
        return False
    if any(row.notified_at is None for row in rows):
        return False
    move(session, incident, IncidentState.NOTIFIED, actor=actor, now=now)
    return True


def send_notice(
    session: Session,
    incident: Incident,
    *,
    actor: Actor,
    now: datetime,
    organisation_id: int | None = None,
) -> list[IncidentController]:
    """Tell each confirmed controller not told yet (or the one of ``organisation_id``, if
    not told yet) and record ``notified_at``. Returns the rows told. Telling one again is
    :func:`resend_notice`."""
    check_open(incident)
    rows = confirmed(incident, organisation_id)
    if not rows:
        raise ValidationFailed("confirm the controllers first", code="no_controllers")
    rows = [row for row in rows if row.notified_at is None]
    if not rows:
        raise ValidationFailed("nobody to tell", code="nobody_to_notify")
    silent = [row for row in rows if not recipients(session, row.organisation)]
    if silent:
        raise ValidationFailed("a controller has no contact", code="no_contact")
    for row in rows:
        sent = mail_controller(session, incident, row.organisation, "incident_notice", now)
        row.notified_at = now
        audit.record(
            session, "incident.notice_sent", actor=actor, now=now,
            object_type="incident", object_id=incident.id,
            data={"organisation_id": row.organisation_id, "recipients": sent,
                  "within_hours": now <= row.notice_due},
        )  # fmt: skip
    session.flush()
    settle_state(session, incident, actor=actor, now=now)
    return rows


@dataclass(frozen=True)
class Resent:
    """A notice sent again: to which controller, which addresses, when."""

    organisation: Organisation
    addresses: list[str]
    at: datetime


def resend_notice(
    session: Session, incident: Incident, organisation_id: int, *, actor: Actor, now: datetime
) -> Resent:
    """Mail the notice again to the contacts of one controller that was told already (a
    contact lost the mail, or a new contact was designated). ``notified_at`` keeps the first
    notice, so the deadline stays met or missed as it was; the audit event
    ``incident.notice_resent`` holds the organisation, its contacts' ids and the count.
    """
    check_open(incident)
    row = confirmed(incident, organisation_id)[0]
    if row.notified_at is None:
        raise Conflict("nothing to send again", code="nothing_to_resend")
    found = recipients(session, row.organisation)
    if not found:
        raise ValidationFailed("the controller has no contact", code="no_contact")
    sent = mail_controller(session, incident, row.organisation, "incident_notice", now)
    contacts = [c.id for c in designated_contacts(session, row.organisation)]
    audit.record(
        session, "incident.notice_resent", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"organisation_id": organisation_id, "recipients": sent, "contact_ids": contacts},
    )  # fmt: skip
    session.flush()
    return Resent(row.organisation, [address for address, _language in found], now)


def told(rows: Sequence[IncidentController]) -> list[IncidentController]:
    found = [row for row in rows if row.notified_at is not None]
    if not found:
        raise ValidationFailed("send the notice first", code="not_notified")
    return found


def _visible(text: str) -> bool:
    """Any character a reader sees: not only spaces or format characters (zero-width
    space, direction marks, BOM), which ``str.strip`` keeps."""
    return any(unicodedata.category(ch)[0] not in ("Z", "C") for ch in text)


def check_body(body: str) -> str:
    text = body.strip()
    if not _visible(text):
        raise ValidationFailed("a message needs a text", code="body_required")
    if len(text) > MAX_BODY:
        raise ValidationFailed("the text is too long", code="body_too_long", max=MAX_BODY)
    return text


def follow_up(
    session: Session,
    incident: Incident,
    body: str,
    *,
    actor: Actor,
    now: datetime,
    organisation_id: int | None = None,
) -> IncidentUpdate:
    """Further information (Art. 33(4)) to every controller told so far, or to one; each
    is mailed that there is news (without the news itself)."""
    check_open(incident)
    rows = told(confirmed(incident, organisation_id))
    update = IncidentUpdate(
        incident_id=incident.id, organisation_id=organisation_id, kind=UpdateKind.FOLLOW_UP,
        body=check_body(body), author_id=actor.id, created_at=now,
    )  # fmt: skip
    session.add(update)
    session.flush()
    sent = sum(
        mail_controller(session, incident, row.organisation, "incident_follow_up", now)
        for row in rows
    )
    audit.record(
        session, "incident.follow_up_sent", actor=actor, now=now,
        object_type="incident", object_id=incident.id,
        data={"update_id": update.id, "organisation_id": organisation_id,
              "controllers": len(rows), "recipients": sent},
    )  # fmt: skip
    return update
