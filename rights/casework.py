"""Case actions of the officer's workspace. Each checks the lifecycle, writes audit events
(ids and codes only) and flushes; the view commits once. Optimistic locking is the
request's ``version`` column: a stale save raises ``StaleDataError`` at flush (409).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights import requests as ops
from rights.audit import Actor
from rights.controllers import routing
from rights.controllers.authority import require_decider
from rights.documents import DocumentStore, delete_id_documents
from rights.errors import InvalidTransition, ValidationFailed
from rights.messages import MAX_BODY
from rights.models.case import Message, Party
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.org import Organisation, User
from rights.models.request import IdentityStatus, RequestState, RightsRequest
from rights.policy import Policy
from rights.righttypes import parse_details

# docs/legal.md, "Establishing identity": how the officer established identity (ID-2 link, an
# account session, a question only the subject can answer, a (masked) ID document seen, a
# representative's mandate).
IDENTITY_METHODS = ("email_link", "account_session", "known_details", "id_document", "mandate")
MAX_NOTE = 5_000


def _text(value: str, code: str, *, required: bool = True, limit: int = MAX_NOTE) -> str:
    text = value.replace("\x00", "").strip()
    if required and not text:
        raise ValidationFailed("this field is required", code=code)
    if len(text) > limit:
        raise ValidationFailed("too long", code=f"{code}_too_long")
    return text


def _note(
    session: Session, request: RightsRequest, kind: str, body: str, actor: Actor, now: datetime
) -> CaseNote:
    note = CaseNote(
        request_id=request.id,
        kind=kind,
        body=body,
        author_id=actor.id if actor.kind == "user" else None,
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note


def _touch(request: RightsRequest, now: datetime) -> None:
    # Bumps the version even when only related rows change: two officers acting on the
    # same case at once cannot both win.
    request.updated_at = now


def record_identity(
    session: Session,
    store: DocumentStore,
    request: RightsRequest,
    method: str,
    note: str,
    *,
    actor: Actor,
    now: datetime,
) -> IdentityCheck:
    """Record that identity was established (docs/legal.md, "Establishing identity") and delete the
    ID copies at once: only method, result, checker and time are kept. On a controller's
    request only its designated contact records it (P-2, docs/controllers.md)."""
    require_decider(session, request, actor)
    if method not in IDENTITY_METHODS:
        raise ValidationFailed("unknown method", code="identity_method")
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("request is not open", code="not_open")
    check = IdentityCheck(
        request_id=request.id,
        method=method,
        result="verified",
        note=_text(note, "note", required=False),
        checked_by_id=actor.id if actor.kind == "user" else None,
        checked_at=now,
    )
    session.add(check)
    if request.state is RequestState.AWAITING_VERIFICATION:
        lifecycle.transition(session, request, RequestState.OPEN, actor=actor, now=now)
    request.identity_status = IdentityStatus.VERIFIED
    _touch(request, now)
    session.flush()
    deleted = delete_id_documents(session, store, request, actor=actor, now=now)
    audit.record(
        session,
        "identity.verified",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="identity_check",
        object_id=check.id,
        data={"method": method, "id_documents_deleted": deleted},
    )
    return check


def ask_information(
    session: Session,
    request: RightsRequest,
    reason: str,
    question: str,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
    asks_document: bool = False,
) -> Message:
    """Ask the subject for identity information or a clarification: the clock pauses (docs/legal.md,
    "Pausing the clock") and the question goes into the thread. One mail tells the subject there is
    a question (``information_requested``), without its content."""
    text = _text(question, "question", limit=MAX_BODY)
    ops.suspend(session, request, reason, text, actor=actor, now=now, policy=policy)
    message = Message(
        request_id=request.id,
        sender=Party.OFFICER,
        author_id=actor.id if actor.kind == "user" else None,
        body=text,
        asks_document=asks_document,
        created_at=now,
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        "message.posted",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="message",
        object_id=message.id,
        data={"sender": Party.OFFICER.value, "asks_document": asks_document},
    )
    return message


def information_received(
    session: Session, request: RightsRequest, *, actor: Actor, now: datetime, policy: Policy
) -> None:
    """The subject answered (by the status page, mail or phone): the clock runs again."""
    ops.resume(session, request, actor=actor, now=now, policy=policy)


def assign(
    session: Session,
    request: RightsRequest,
    assignee: User | None,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Give the case to an officer (or to nobody). An open case being worked on moves to
    'in progress'."""
    if assignee is not None and (not assignee.is_staff or not assignee.active):
        raise ValidationFailed("only an active officer can be assigned", code="assignee")
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("request is not open", code="not_open")
    previous = request.assignee_id
    request.assignee_id = assignee.id if assignee is not None else None
    if assignee is not None and request.state is RequestState.OPEN:
        lifecycle.transition(session, request, RequestState.IN_PROGRESS, actor=actor, now=now)
    _touch(request, now)
    audit.record(
        session,
        "request.assigned",
        actor=actor,
        now=now,
        request_id=request.id,
        data={"from": previous, "to": request.assignee_id},
    )


def withdraw(
    session: Session, request: RightsRequest, note: str, *, actor: Actor, now: datetime
) -> None:
    """The subject withdrew (by phone, letter...): the officer records it with a note."""
    text = _text(note, "note")
    lifecycle.transition(session, request, RequestState.WITHDRAWN, actor=actor, now=now)
    _note(session, request, "withdrawal", text, actor, now)


def _finished_at(session: Session, request: RightsRequest) -> datetime | None:
    if request.state is RequestState.ANSWERED:
        return request.answered_at
    return (
        session.scalar(
            select(CaseNote.created_at)
            .where(CaseNote.request_id == request.id, CaseNote.kind.in_(("withdrawal", "merged")))
            .order_by(CaseNote.id.desc())
            .limit(1)
        )
        or request.updated_at
    )


def reopen(
    session: Session,
    request: RightsRequest,
    note: str,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    """Reopen an answered or withdrawn request within ``policy.reopen_window_days``.
    The deadline does not restart: it still runs from the original receipt."""
    text = _text(note, "note")
    finished = _finished_at(session, request)
    if request.state not in (RequestState.ANSWERED, RequestState.WITHDRAWN) or finished is None:
        raise InvalidTransition(
            "only an answered or withdrawn request can be reopened", code="not_reopenable"
        )
    if now > finished + timedelta(days=policy.reopen_window_days):
        raise InvalidTransition("the reopen window has passed", code="reopen_window")
    target = (
        RequestState.IN_PROGRESS if request.state is RequestState.ANSWERED else RequestState.OPEN
    )
    lifecycle.transition(session, request, target, actor=actor, now=now, data={"reopened": True})
    request.answered_at = None
    _note(session, request, "reopened", text, actor, now)


def split(
    session: Session,
    request: RightsRequest,
    organisations: list[Organisation],
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> list[RightsRequest]:
    """Split a request that concerns several organisations into linked requests, one per
    organisation. The original keeps the first; each new one has the same receipt instant
    (so the same deadline), details and requester, and the same group reference."""
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("request is not open", code="not_open")
    ids = [o.id for o in organisations]
    if len(organisations) < 2 or len(set(ids)) != len(ids):
        raise ValidationFailed("choose at least two different organisations", code="split_orgs")
    group = request.group_reference or request.reference
    request.group_reference = group
    request.organisation_id = organisations[0].id
    request.organisation = organisations[0]
    _touch(request, now)
    made: list[RightsRequest] = []
    for org in organisations[1:]:
        intake = ops.Intake(
            right=request.right,
            details=parse_details(request.right, request.details),
            requester=ops.Requester(
                name=request.requester_name,
                email=request.requester_email,
                phone=request.requester_phone,
                address=request.requester_address,
                customer_number=request.requester_customer_number,
            ),
            received_at=request.received_at,
            channel=request.channel,
            language=request.language,
            organisation_id=org.id,
            representative=request.representative,
            extra={"split_from": request.id},
        )
        new = ops.create_request(
            session, intake, actor=actor, now=now, policy=policy, group_reference=group
        )
        new.identity_status = request.identity_status
        new.email_verified_at = request.email_verified_at
        if (
            new.state is RequestState.AWAITING_VERIFICATION
            and request.state is not RequestState.AWAITING_VERIFICATION
        ):
            lifecycle.transition(session, new, RequestState.OPEN, actor=actor, now=now)
        session.add(
            CaseLink(
                kind="split",
                request_id=new.id,
                other_id=request.id,
                created_by_id=actor.id,
                created_at=now,
            )
        )
        made.append(new)
    verified_on = routing.verified_on(request)
    for part in [request, *made]:
        if part.state is not RequestState.AWAITING_VERIFICATION:
            # Each controller's part has its own forwarding target (docs/controllers.md).
            routing.set_forward_target(part, policy, on=verified_on)
    session.flush()
    audit.record(
        session,
        "request.split",
        actor=actor,
        now=now,
        request_id=request.id,
        data={"organisations": ids, "new_requests": [r.id for r in made]},
    )
    return made


def merge_duplicate(
    session: Session,
    duplicate: RightsRequest,
    primary: RightsRequest,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Close ``duplicate`` as a copy of ``primary`` (same subject, same right). The subject
    gets one answer, on the primary request."""
    if duplicate.id == primary.id:
        raise ValidationFailed("a request cannot duplicate itself", code="merge_self")
    if primary.state not in lifecycle.OPEN_STATES or duplicate.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("both requests must be open", code="not_open")
    if primary.right is not duplicate.right or (
        primary.requester_email.lower() != duplicate.requester_email.lower()
    ):
        raise ValidationFailed("only the same right from the same subject", code="merge_mismatch")
    lifecycle.transition(
        session,
        duplicate,
        RequestState.WITHDRAWN,
        actor=actor,
        now=now,
        data={"merged_into": primary.id},
    )
    _touch(primary, now)
    session.add(
        CaseLink(
            kind="duplicate",
            request_id=duplicate.id,
            other_id=primary.id,
            created_by_id=actor.id,
            created_at=now,
        )
    )
    # What happened is data (the kind and the other reference); the page says it in the
    # reader's words (portal/staff/details.py, note_text).
    _note(session, duplicate, "merged", primary.reference, actor, now)
    audit.record(
        session,
        "request.merged",
        actor=actor,
        now=now,
        request_id=primary.id,
        data={"duplicate": duplicate.id},
    )
