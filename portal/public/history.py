"""What happened to a request, in plain words, read from its audit trail. Only events that
mean something to the subject are shown; staff views and internal steps are left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rights.models.audit import AuditEvent
from rights.models.request import RightsRequest


@dataclass(frozen=True)
class Step:
    at: datetime
    text: str


SIMPLE: dict[str, Any] = {
    "request.received": _l("We received your request."),
    "request.email_confirmed": _l("You confirmed your e-mail address."),
    "request.verification_resent": _l("We sent you a new confirmation link."),
    "request.suspended": _l("We asked you a question. The time we have to answer is paused."),
    "request.resumed": _l("You answered. The time we have to answer runs again."),
    "request.extended": _l("We need more time and extended the period to answer."),
    "request.withdrawn": _l("You withdrew your request."),
}

TRANSITIONS: dict[str, Any] = {
    "forwarded": _l("We sent your request to the organisation that decides on it."),
    "in_progress": _l("We started working on your request."),
    "awaiting_approval": _l("Our answer is being checked."),
    "answered": _l("We sent you our answer."),
    "closed_unverified": _l("We closed the request: the e-mail address was not confirmed."),
    "closed": _l("The request is closed."),
}


# The actions ``_text`` can put into words: the others (staff views, internal steps, often
# hundreds per case) are left out by the query, not loaded and dropped.
SHOWN = (
    *SIMPLE,
    "request.transition",
    "message.posted",
    "document.stored",
    "document.deleted",
)


_HISTORY = (
    select(AuditEvent.occurred_at, AuditEvent.action, AuditEvent.data)
    .where(AuditEvent.request_id == bindparam("rid"), AuditEvent.action.in_(SHOWN))
    .order_by(AuditEvent.seq)
)


class _Event(Protocol):
    action: str
    data: dict[str, Any] | None


def _text(event: _Event) -> Any:
    data = event.data or {}
    # The clock is paused only when the pause counts (docs/legal.md, "Identity").
    if event.action == "request.suspended" and data.get("counts") is False:
        return _l("We asked you a question. The time we have to answer keeps running.")
    if event.action in SIMPLE:
        return SIMPLE[event.action]
    if event.action == "request.transition":
        if data.get("reason") == "identity_not_answered":
            return _l(
                "We closed the request: we did not receive the information to confirm who you are."
            )
        return TRANSITIONS.get(str(data.get("to")))
    if event.action == "message.posted":
        if data.get("sender") == "officer":
            return _l("We sent you a message.")
        if data.get("sender") == "subject":
            return _l("You sent us a message.")
    if event.action == "document.stored":
        return _l("We received a document.")
    if event.action == "document.deleted":
        return _l("A document was deleted because we no longer need it.")
    return None


def history(session: Session, request: RightsRequest) -> list[Step]:
    events = session.execute(_HISTORY, {"rid": request.id})
    steps = []
    for event in events:
        text = _text(event)
        if text is not None:
            steps.append(Step(event.occurred_at, str(text)))
    return steps
