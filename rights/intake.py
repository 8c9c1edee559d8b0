"""What a data subject does on the public site: file one or more linked requests, confirm the
e-mail address, answer a question, withdraw. Flask-free; each function flushes and audits,
the caller commits once.

E-mail links carry the request's ``link_generation``: confirming or asking for a new link
bumps it, so every earlier link stops working (single use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights.audit import Actor
from rights.deadlines import local_date, projected_deadlines
from rights.documents import DocumentStore, store_document
from rights.errors import Gone, InvalidTransition, ValidationFailed
from rights.messages import open_document_request, post_message
from rights.models.case import DocumentKind, Message, Party
from rights.models.request import RequestState, RightsRequest
from rights.outbox import Mail, insert_mails, queue_mail
from rights.policy import Policy
from rights.receipt import FLAG_MINOR_REVIEW, check_mandate, check_minor, suppression_reason
from rights.requests import Intake, confirm_email, create_request, resume

MAX_RIGHTS_PER_SUBMISSION = 7


def find_submission(session: Session, form_key: str) -> list[RightsRequest]:
    """The requests an earlier submit with this form key created (first one first)."""
    first = session.scalar(select(RightsRequest).where(RightsRequest.form_key == form_key))
    if first is None:
        return []
    return group_of(session, first)


def group_of(session: Session, request: RightsRequest) -> list[RightsRequest]:
    """The request and the requests filed together with it, in filing order."""
    if request.group_reference is None:
        return [request]
    rows = session.scalars(
        select(RightsRequest)
        .where(RightsRequest.group_reference == request.group_reference)
        .order_by(RightsRequest.id)
    )
    return list(rows)


def submit(
    session: Session,
    intakes: Sequence[Intake],
    *,
    form_key: str,
    now: datetime,
    policy: Policy,
    mandate: tuple[bytes, str] | None = None,
    store: DocumentStore | None = None,
    hash_key: bytes | None = None,
    look_up_repeat: bool = True,
) -> list[RightsRequest]:
    """File one request per right, linked by a shared group reference, and queue the
    acknowledgement and the e-mail confirmation link (ID-2).

    A second submit with the same ``form_key`` returns the requests of the first one and stores
    nothing. The first request is the one the mails and links refer to; a representative's mandate
    (docs/legal.md, "Representatives and minors") is stored encrypted with it. With ``hash_key``,
    what takes effect on receipt is applied at once (``rights.receipt``): an objection to direct
    marketing or a withdrawal of consent stops marketing now, before the e-mail address is
    confirmed, and the acknowledgement says so.

    ``look_up_repeat=False`` leaves the repeat to the unique ``form_key``: the flush raises
    ``IntegrityError`` and the caller rolls back and calls ``find_submission`` (the public
    form, which so saves a look-up on every submit).
    """
    if look_up_repeat and (existing := find_submission(session, form_key)):
        return existing
    if not intakes:
        raise ValidationFailed("choose at least one right", code="no_right")
    if len(intakes) > MAX_RIGHTS_PER_SUBMISSION:
        raise ValidationFailed("too many requests at once", code="too_many_rights")
    if len({i.right for i in intakes}) != len(intakes):
        raise ValidationFailed("each right once", code="duplicate_right")
    for item in intakes:
        check_mandate(item.representative, has_mandate=mandate is not None)
        check_minor(item.representative, has_mandate=mandate is not None)
    created: list[RightsRequest] = []
    group: str | None = None
    for index, intake in enumerate(intakes):
        key = form_key if index == 0 else f"{form_key}:{index}"
        request = create_request(
            session,
            replace(intake, form_key=key),
            actor=Actor.subject(),
            now=now,
            policy=policy,
            group_reference=group,
            hash_key=hash_key,
        )
        if index == 0 and len(intakes) > 1:
            group = request.reference
            request.group_reference = group
        created.append(request)
    session.flush()
    first = created[0]
    if mandate is not None:
        if store is None:
            raise ValueError("a mandate needs a document store")
        data, filename = mandate
        store_document(
            session,
            store,
            first,
            data,
            filename=filename,
            kind=DocumentKind.MANDATE,
            uploaded_by=Party.SUBJECT,
            actor=Actor.subject(),
            now=now,
        )
    # Both mails in one INSERT, without ORM objects (rights.outbox.insert_mails).
    context = {
        "linked": [[r.reference, r.right.value] for r in created[1:]],
        "marketing_stopped": hash_key is not None
        and any(suppression_reason(r) is not None for r in created),
        "minor_review": any(FLAG_MINOR_REVIEW in (r.review_flags or []) for r in created),
    }
    to, language = first.requester_email, first.language
    insert_mails(
        session,
        [
            Mail(to, "acknowledgement", language, first.id, context),
            Mail(
                to, "verify_email", language, first.id, {"link_generation": first.link_generation}
            ),
        ],
        now=now,
    )
    return created


def check_link(request: RightsRequest, generation: object) -> None:
    """A confirmation link is valid only for the newest generation, and only once."""
    if request.state is not RequestState.AWAITING_VERIFICATION:
        raise Gone("this request no longer waits for a confirmation", code="link_used")
    if generation != request.link_generation:
        raise Gone("a newer link was sent", code="link_replaced")


def verify(
    session: Session, request: RightsRequest, generation: object, *, now: datetime
) -> list[RightsRequest]:
    """The subject confirmed the address: this request and the ones filed with it open.
    Raises ``Gone`` for a used or replaced link."""
    check_link(request, generation)
    request.link_generation += 1
    confirmed = []
    for member in group_of(session, request):
        if (
            member.state is RequestState.AWAITING_VERIFICATION
            and member.requester_email == request.requester_email
        ):
            confirm_email(session, member, now=now)
            confirmed.append(member)
    return confirmed


def resend_verification(session: Session, request: RightsRequest, *, now: datetime) -> bool:
    """Send a new confirmation link for the same request; earlier links stop working.
    Returns False (and does nothing) when the request no longer waits for confirmation."""
    if request.state is not RequestState.AWAITING_VERIFICATION:
        return False
    request.link_generation += 1
    request.updated_at = now
    audit.record(
        session,
        "request.verification_resent",
        actor=Actor.subject(),
        now=now,
        request_id=request.id,
        data={"link_generation": request.link_generation},
    )
    queue_mail(
        session,
        to=request.requester_email,
        template="verify_email",
        language=request.language,
        now=now,
        request_id=request.id,
        context={"link_generation": request.link_generation},
    )
    return True


def send_status_links(session: Session, email: str, *, now: datetime, limit: int = 10) -> int:
    """ "Lost your link?": mail the status link of each request filed with this address.
    The caller shows the same answer whether or not any exist."""
    address = email.strip()
    rows = session.scalars(
        select(RightsRequest)
        .where(RightsRequest.requester_email == address)
        .order_by(RightsRequest.id.desc())
        .limit(limit)
    )
    count = 0
    for request in rows:
        queue_mail(
            session,
            to=request.requester_email,
            template="status_link",
            language=request.language,
            now=now,
            request_id=request.id,
        )
        count += 1
    return count


def withdraw(session: Session, request: RightsRequest, *, now: datetime) -> None:
    """The subject withdraws the request (audited as a transition by the subject)."""
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("the request is no longer open", code="not_open")
    for suspension in request.suspensions:
        if suspension.answered_at is None:
            suspension.answered_at = now
    lifecycle.transition(session, request, RequestState.WITHDRAWN, actor=Actor.subject(), now=now)
    audit.record(
        session, "request.withdrawn", actor=Actor.subject(), now=now, request_id=request.id
    )


def _open_suspension_reason(request: RightsRequest) -> str | None:
    for suspension in request.suspensions:
        if suspension.answered_at is None:
            return suspension.reason
    return None


def answer(
    session: Session,
    store: DocumentStore,
    request: RightsRequest,
    body: str,
    *,
    now: datetime,
    policy: Policy,
    upload: tuple[bytes, str] | None = None,
) -> Message:
    """The subject answers on the status page: a message, plus a file only while an officer
    asks for one. When the clock was suspended for this question it runs again
    (docs/legal.md, "Pausing the clock"). Raises ``ValidationFailed`` or ``InvalidTransition``."""
    if request.state not in lifecycle.OPEN_STATES or (
        request.state is RequestState.AWAITING_VERIFICATION
    ):
        raise InvalidTransition("this request cannot receive answers", code="not_open")
    asked = open_document_request(session, request)
    if upload is not None and asked is None:
        raise ValidationFailed("no document was asked for", code="upload_not_asked")
    actor = Actor.subject()
    message = post_message(
        session,
        request,
        body,
        sender=Party.SUBJECT,
        actor=actor,
        now=now,
        reply_to=asked if upload is not None else None,
    )
    if upload is not None:
        data, filename = upload
        identity = _open_suspension_reason(request) == "identity"
        store_document(
            session,
            store,
            request,
            data,
            filename=filename,
            kind=DocumentKind.ID_DOCUMENT if identity else DocumentKind.EVIDENCE,
            uploaded_by=Party.SUBJECT,
            actor=actor,
            now=now,
            message=message,
        )
    if request.state is RequestState.AWAITING_INFORMATION:
        resume(session, request, actor=actor, now=now, policy=policy)
    return message


def close_unverified(session: Session, *, now: datetime, policy: Policy) -> int:
    """Close web requests whose address was not confirmed within
    ``policy.unverified_auto_close_days`` and tell the subject (a scheduled job)."""
    cutoff = now - timedelta(days=policy.unverified_auto_close_days)
    rows = session.scalars(
        select(RightsRequest)
        .where(
            RightsRequest.state == RequestState.AWAITING_VERIFICATION,
            RightsRequest.created_at <= cutoff,
        )
        .order_by(RightsRequest.id)
        .limit(500)
    )
    count = 0
    for request in list(rows):
        lifecycle.transition(
            session,
            request,
            RequestState.CLOSED_UNVERIFIED,
            actor=audit.SYSTEM,
            now=now,
            data={"reason": "email_not_confirmed"},
        )
        request.link_generation += 1
        first_of_group = request.group_reference in (None, request.reference)
        if request.requester_email and first_of_group:
            queue_mail(
                session,
                to=request.requester_email,
                template="closed_unverified",
                language=request.language,
                now=now,
                request_id=request.id,
            )
        count += 1
    session.flush()
    return count


def shown_due(request: RightsRequest, *, now: datetime, policy: Policy) -> date:
    """The due date to show the subject: while a question is open, the projected date
    assuming the answer arrives today (docs/legal.md, "Pausing the clock")."""
    if request.extended:
        return request.extended_due
    open_ = [s for s in request.suspensions if s.answered_at is None and s.counts]
    if not open_:
        return request.due
    closed = [
        (local_date(s.asked_at), local_date(s.answered_at))
        for s in request.suspensions
        if s.counts and s.answered_at is not None
    ]
    projected = projected_deadlines(
        request.received_at,
        closed,
        local_date(open_[0].asked_at),
        local_date(now),
        policy.calendar,
    )
    return projected.due
