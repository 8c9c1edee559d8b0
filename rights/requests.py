"""Operations on a rights request: intake, e-mail confirmation, deadlines (extend, suspend,
resume). Each flushes and writes audit events; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights.audit import Actor
from rights.controllers.authority import require_decider
from rights.deadlines import compute_deadlines, local_date, suspension_counts
from rights.errors import DeadlinePassed, InvalidTransition, ValidationFailed
from rights.inserts import insert_values
from rights.models.request import (
    Channel,
    IdentityStatus,
    RequestState,
    RightsRequest,
    Suspension,
)
from rights.opendsr.callbacks import queue_status_change
from rights.outbox import queue_mail
from rights.policy import Policy
from rights.receipt import on_receipt
from rights.references import new_reference
from rights.righttypes import Details, RightType

EXTENSION_GROUNDS = ("complexity", "number_of_requests")  # docs/legal.md, "Extension (Art. 12(3))"
SUSPENSION_REASONS = ("identity", "clarification")  # docs/legal.md, "Pausing the clock"


@dataclass(frozen=True)
class Requester:
    name: str
    email: str
    phone: str = ""
    address: str = ""
    customer_number: str = ""


@dataclass(frozen=True)
class Intake:
    """Everything a new request needs. ``received_at`` is the original arrival instant."""

    right: RightType
    details: Details
    requester: Requester
    received_at: datetime
    channel: Channel = Channel.WEB
    language: str = "nl"
    organisation_id: int | None = None
    representative: dict[str, Any] | None = None
    form_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def apply_deadlines(request: RightsRequest, policy: Policy) -> None:
    """Recompute the deadline snapshot from receipt and counted, closed suspensions."""
    intervals = [
        (local_date(s.asked_at), local_date(s.answered_at))
        for s in request.suspensions
        if s.counts and s.answered_at is not None
    ]
    for name, value in deadline_values(request.received_at, intervals, policy).items():
        setattr(request, name, value)


def deadline_values(
    received_at: datetime, intervals: list[tuple[date, date]], policy: Policy
) -> dict[str, Any]:
    """The deadline snapshot's columns for a request received at ``received_at`` with the
    counted suspensions ``intervals``."""
    d = compute_deadlines(received_at, intervals, policy.calendar)
    return {
        "receipt_date": d.receipt_date,
        "paused_days": d.paused_days,
        "due": d.due,
        "due_end": d.due_end,
        "target_due": d.due_without_suspension,
        "extended_due": d.extended_due,
        "extended_due_end": d.extended_due_end,
    }


def _unique_reference(session: Session) -> str:
    """A fresh reference. 40 random bits make a repeat about one in a million at a million
    requests; the unique constraint refuses it (an IntegrityError at flush), and the edge
    files the request again, instead of every intake paying a look-up for it."""
    return new_reference()


def create_request(
    session: Session,
    intake: Intake,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
    group_reference: str | None = None,
    hash_key: bytes | None = None,
) -> RightsRequest:
    """Store a new request with its deadline snapshot and first audit event (flushes).

    Web requests wait for the e-mail confirmation (ID-2); requests registered by staff from
    another channel start open. A naive ``received_at`` raises ``ValueError``.

    What takes effect on receipt is applied in the same transaction
    (``rights.receipt.on_receipt``): a parent's request for a child of review age is
    flagged, and, given ``hash_key`` (``Context.identifier_hash_key()``), an objection to
    direct marketing or a withdrawal of consent puts the subject on the suppression list.
    Every intake path (public form, staff registration) must pass ``hash_key``.
    """
    if intake.details.kind is not intake.right:
        raise ValidationFailed("details do not belong to this right")
    if intake.received_at > now:
        raise ValidationFailed("arrival cannot be in the future", code="received_in_future")
    # The API is the controller's system, which vouches for the subject (docs/api.md).
    waits = intake.channel is Channel.WEB
    values = {
        "reference": _unique_reference(session),
        "right": intake.right,
        "state": RequestState.AWAITING_VERIFICATION if waits else RequestState.OPEN,
        "channel": intake.channel,
        "language": intake.language,
        "received_at": intake.received_at,
        "created_at": now,
        "updated_at": now,
        "organisation_id": intake.organisation_id,
        "group_reference": group_reference,
        "form_key": intake.form_key,
        "requester_name": intake.requester.name,
        "requester_email": intake.requester.email,
        "requester_phone": intake.requester.phone,
        "requester_address": intake.requester.address,
        "requester_customer_number": intake.requester.customer_number,
        "representative": intake.representative,
        "details": intake.details.to_json(),
        "identity_status": IdentityStatus.UNVERIFIED,
        "link_generation": 0,
        "extended": False,
        # A new request has no suspensions yet.
        **deadline_values(intake.received_at, [], policy),
    }
    # One INSERT, not a flush, and the object built as a loaded one (rights.inserts).
    request = insert_values(session, RightsRequest, values)
    audit.record(
        session,
        "request.received",
        actor=actor,
        now=now,
        request_id=request.id,
        data={
            "right": intake.right.value,
            "channel": intake.channel.value,
            "state": request.state.value,
            "received_at": intake.received_at.isoformat(),
            "organisation_id": intake.organisation_id,
            **intake.extra,
        },
    )
    on_receipt(session, request, hash_key=hash_key, actor=actor, now=now, policy=policy)
    return request


def confirm_email(session: Session, request: RightsRequest, *, now: datetime) -> None:
    """The subject clicked the confirmation link (ID-2); the request becomes open."""
    lifecycle.transition(session, request, RequestState.OPEN, actor=Actor.subject(), now=now)
    request.identity_status = IdentityStatus.EMAIL_CONFIRMED
    request.email_verified_at = now
    audit.record(
        session, "request.email_confirmed", actor=Actor.subject(), now=now, request_id=request.id
    )


def extend(
    session: Session,
    request: RightsRequest,
    ground: str,
    justification: str,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Extend by two further months (docs/legal.md, "Extension (Art. 12(3))").

    Only once, only with a closed-list ground and a factual justification, and only before
    the end of the one-month due date (E01/E02). Queues the notice with reasons.
    Raises ``ValidationFailed``, ``InvalidTransition`` (already extended or closed),
    ``DeadlinePassed``, or ``PermissionDenied`` when ``actor`` does not decide this request
    (P-2: a controller's designated contact, docs/controllers.md, "Who decides").
    """
    require_decider(session, request, actor)
    if ground not in EXTENSION_GROUNDS:
        raise ValidationFailed("unknown extension ground", code="extension_ground")
    if not justification.strip():
        raise ValidationFailed("a justification is required", code="justification_required")
    if request.extended:
        raise InvalidTransition("already extended once", code="already_extended")
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("request is not open", code="not_open")
    if now >= request.due_end:
        raise DeadlinePassed("the one-month period has ended", code="extension_too_late")
    request.extended = True
    request.extended_at = now
    request.extension_ground = ground
    request.extension_justification = justification.strip()
    request.updated_at = now
    audit.record(
        session,
        "request.extended",
        actor=actor,
        now=now,
        request_id=request.id,
        data={"ground": ground, "extended_due": request.extended_due.isoformat()},
    )
    queue_status_change(session, request, now)  # the expected completion time moved
    queue_mail(
        session,
        to=request.requester_email,
        template="extension_notice",
        language=request.language,
        now=now,
        request_id=request.id,
    )


def _open_suspension(request: RightsRequest) -> Suspension | None:
    return next((s for s in request.suspensions if s.answered_at is None), None)


def suspend(
    session: Session,
    request: RightsRequest,
    reason: str,
    note: str,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Suspension:
    """Ask the subject for identity information or clarification; the clock pauses
    (docs/legal.md, "Pausing the clock"). The pause counts only when asked within
    ``policy.undue_delay_working_days`` working days of receipt or of the previous answer.
    Whether identity must be proven more is the controller's decision on its requests
    (``PermissionDenied``, docs/controllers.md, "Who decides").
    """
    if reason == "identity":
        require_decider(session, request, actor)
    if reason not in SUSPENSION_REASONS:
        raise ValidationFailed("unknown reason", code="suspension_reason")
    if not note.strip():
        raise ValidationFailed("say what you need from the subject", code="note_required")
    answered = [s.answered_at for s in request.suspensions if s.answered_at is not None]
    reference_day = local_date(max(answered)) if answered else request.receipt_date
    counts = suspension_counts(
        reference_day, local_date(now), policy.calendar, policy.undue_delay_working_days
    )
    previous = request.state
    lifecycle.transition(
        session,
        request,
        RequestState.AWAITING_INFORMATION,
        actor=actor,
        now=now,
        data={"reason": reason},
    )
    suspension = Suspension(
        reason=reason,
        note=note.strip(),
        asked_at=now,
        counts=counts,
        asked_by_id=actor.id if actor.kind == "user" else None,
    )
    suspension.resume_state = previous.value
    request.suspensions.append(suspension)
    session.flush()
    audit.record(
        session,
        "request.suspended",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="suspension",
        object_id=suspension.id,
        data={"reason": reason, "counts": counts},
    )
    queue_mail(
        session,
        to=request.requester_email,
        template="information_requested",
        language=request.language,
        now=now,
        request_id=request.id,
        # Say the clock is paused only when the pause counts (docs/legal.md).
        context={"clock_paused": counts},
    )
    return suspension


def resume(
    session: Session,
    request: RightsRequest,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    """The subject answered: close the open suspension, recompute the deadline snapshot and
    return the request to the state it was in when the question was asked."""
    suspension = _open_suspension(request)
    if suspension is None or request.state is not RequestState.AWAITING_INFORMATION:
        raise InvalidTransition("no open question", code="not_suspended")
    suspension.answered_at = now
    apply_deadlines(request, policy)
    target = RequestState(suspension.resume_state or RequestState.OPEN.value)
    if target is RequestState.AWAITING_VERIFICATION:
        target = RequestState.OPEN
    lifecycle.transition(session, request, target, actor=actor, now=now)
    audit.record(
        session,
        "request.resumed",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="suspension",
        object_id=suspension.id,
        data={"paused_days": request.paused_days, "due": request.due.isoformat()},
    )
