"""Forwarding a request to its controller, with the mails that go with it, the automatic
forward after verification, and the reminders and escalations of forwards that wait
(docs/controllers.md, "Forwarding"). Flushes; the caller commits once.

The contacts' mails carry no personal data of the subject: the reference, the right,
the deadline and a link to the controller portal. The subject is told which controller
decides, with its contact details, and nothing of what discovery found."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from operations.context import Context
from rights import audit
from rights.audit import SYSTEM
from rights.controllers import routing
from rights.controllers.authority import controller_of
from rights.deadlines import local_date
from rights.errors import InvalidTransition, ValidationFailed
from rights.models.org import Organisation, Role, User
from rights.models.request import RequestState, RightsRequest
from rights.outbox import queue_mail

DEFAULT_REMIND_DAYS = 3
DEFAULT_ESCALATE_DAYS = 5


def forward_request(
    ctx: Context, request: RightsRequest, organisation: Organisation | None = None
) -> list[User]:
    """Forward ``request`` (``routing.forward``), then queue a mail to every designated
    contact (in the contact's language) and one to the subject (in the request's
    language). Returns the contacts."""
    now = ctx.now()
    contacts = routing.forward(
        ctx.session, request, actor=ctx.actor, now=now, policy=ctx.policy, organisation=organisation
    )
    assert request.organisation is not None
    org_id = request.organisation.id
    for contact in contacts:
        queue_mail(
            ctx.session,
            to=contact.email,
            template="forward",
            language=contact.language,
            now=now,
            request_id=request.id,
            context={"organisation_id": org_id},
        )
    if request.requester_email:
        queue_mail(
            ctx.session,
            to=request.requester_email,
            template="forwarded_subject",
            language=request.language,
            now=now,
            request_id=request.id,
            context={"organisation_id": org_id},
        )
    return contacts


def after_verification(ctx: Context, requests: Iterable[RightsRequest]) -> int:
    """Set the forwarding target of each just-verified controller's request and forward
    those whose controller has ``auto_forward`` set (actor: the system). A forward the
    rules refuse (no designated contact, say) leaves the request for the officer and is
    audited. Returns the number forwarded."""
    day = local_date(ctx.now())
    forwarded = 0
    for request in requests:
        if request.state is RequestState.AWAITING_VERIFICATION:
            continue
        routing.set_forward_target(request, ctx.policy, on=day)
        org = controller_of(request)
        if org is None or not org.auto_forward:
            continue
        try:
            routing.check_forward(ctx.session, request)
        except (ValidationFailed, InvalidTransition) as exc:
            audit.record(
                ctx.session,
                "request.auto_forward_failed",
                actor=SYSTEM,
                now=ctx.now(),
                request_id=request.id,
                data={"code": exc.code},
            )
            continue
        forward_request(ctx.acting_as(SYSTEM), request)
        forwarded += 1
    return forwarded


def _setting(ctx: Context, name: str, default: int) -> int:
    raw = ctx.settings.extra.get(name, default)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1 else default


def _staff(ctx: Context) -> list[User]:
    rows = ctx.session.scalars(
        select(User)
        .where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.active.is_(True))
        .order_by(User.id)
    )
    return list(rows)


def _remind(ctx: Context, request: RightsRequest) -> int:
    assert request.organisation is not None
    contacts = routing.designated_contacts(ctx.session, request.organisation)
    for contact in contacts:
        queue_mail(
            ctx.session,
            to=contact.email,
            template="forward_reminder",
            language=contact.language,
            now=ctx.now(),
            request_id=request.id,
            context={"organisation_id": request.organisation.id},
        )
    request.forward_reminded_at = ctx.now()
    audit.record(
        ctx.session,
        "request.forward_reminded",
        actor=SYSTEM,
        now=ctx.now(),
        request_id=request.id,
        data={"contacts": [c.id for c in contacts]},
    )
    return len(contacts)


def _escalate(ctx: Context, request: RightsRequest, staff: list[User]) -> int:
    for user in staff:
        queue_mail(
            ctx.session,
            to=user.email,
            template="forward_escalation",
            language=user.language,
            now=ctx.now(),
            request_id=request.id,
            context={"organisation_id": request.organisation_id},
        )
    request.forward_escalated_at = ctx.now()
    audit.record(
        ctx.session,
        "request.forward_escalated",
        actor=SYSTEM,
        now=ctx.now(),
        request_id=request.id,
        data={"staff": [u.id for u in staff]},
    )
    return len(staff)


def send_forward_reminders(ctx: Context) -> int:
    """Remind the designated contacts of forwards that wait for a decision
    (``PORTAL_FORWARD_REMIND_DAYS`` working days), and escalate to the officers
    (``PORTAL_FORWARD_ESCALATE_DAYS``, or a week before the controller's deadline); each
    once per forward. Returns the number of mails queued."""
    followups = routing.due_followups(
        ctx.session,
        now=ctx.now(),
        policy=ctx.policy,
        remind_days=_setting(ctx, "FORWARD_REMIND_DAYS", DEFAULT_REMIND_DAYS),
        escalate_days=_setting(ctx, "FORWARD_ESCALATE_DAYS", DEFAULT_ESCALATE_DAYS),
    )
    staff = _staff(ctx) if any(f.escalate for f in followups) else []
    queued = 0
    for item in followups:
        if item.remind:
            queued += _remind(ctx, item.request)
        if item.escalate:
            queued += _escalate(ctx, item.request, staff)
    ctx.session.flush()
    return queued
