"""Forwarding a request to its controller, with the mails that go with it, the automatic
forward after verification, and the reminders and escalations of forwards that wait
(docs/controllers.md, "Forwarding"). Flushes; the caller commits once.

The contacts' mails carry no personal data of the subject: the reference, the right,
the deadline and a link to the controller portal. The subject is told which controller
decides, with its contact details, and nothing of what discovery found."""

from __future__ import annotations

from collections.abc import Iterable

from operations.context import Context
from rights import audit
from rights.audit import SYSTEM
from rights.controllers import routing
from rights.controllers.authority import controller_of
from rights.controllers.instructions import Instruction, instruction_of
from rights.deadlines import local_date
from rights.errors import InvalidTransition, ValidationFailed
from rights.models.org import Organisation, User
from rights.models.request import RequestState, RightsRequest
from rights.outbox import queue_mail
from rights.users import active_staff

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
    _mail_each(ctx, request, [(c.email, c.language) for c in contacts], "forward")
    if request.requester_email:
        _mail_each(ctx, request, [(request.requester_email, request.language)], "forwarded_subject")
    return contacts


def _mail_each(
    ctx: Context, request: RightsRequest, recipients: list[tuple[str, str]], template: str
) -> int:
    """Queue ``template`` about ``request`` to each (address, language); no personal data
    of the subject goes in the context, only the organisation."""
    for to, language in recipients:
        queue_mail(
            ctx.session,
            to=to,
            template=template,
            language=language,
            now=ctx.now(),
            request_id=request.id,
            context={"organisation_id": request.organisation_id},
        )
    return len(recipients)


def after_verification(ctx: Context, requests: Iterable[RightsRequest]) -> int:
    """Set the forwarding target of each just-verified controller's request and forward
    those whose controller has ``auto_forward`` set (actor: the system), except the
    controller's own instructions, which are its approval (audited, never forwarded back;
    docs/controllers.md, "Instructions"). A forward the
    rules refuse (no designated contact, say) leaves the request for the officer and is
    audited. Returns the number forwarded."""
    day = local_date(ctx.now())
    forwarded = 0
    for request in requests:
        if request.state is RequestState.AWAITING_VERIFICATION:
            continue
        routing.set_forward_target(request, ctx.policy, on=day)
        org = controller_of(request)
        if org is None:
            continue
        instruction = instruction_of(ctx.session, request, org)
        if instruction is not None:  # the controller's own instruction is its approval
            _instruction_is_approval(ctx, request, instruction)
            continue
        if not org.auto_forward:
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


def _instruction_is_approval(ctx: Context, request: RightsRequest, given: Instruction) -> None:
    """Record that the request is not forwarded to the controller for approval: it is the
    controller's own instruction (by a contact or its system), so that is the approval of
    the actions it names (``rights.controllers.approvals.is_approved``)."""
    audit.record(
        ctx.session,
        "request.instruction_is_approval",
        actor=SYSTEM,
        now=ctx.now(),
        request_id=request.id,
        data={**given.audit_data(), "actions": list(request.instructed_actions or [])},
    )


def _setting(ctx: Context, name: str, default: int) -> int:
    raw = ctx.settings.extra.get(name, default)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1 else default


def _remind(ctx: Context, request: RightsRequest) -> int:
    assert request.organisation is not None
    contacts = routing.designated_contacts(ctx.session, request.organisation)
    queued = _mail_each(ctx, request, [(c.email, c.language) for c in contacts], "forward_reminder")
    request.forward_reminded_at = ctx.now()
    _followed_up(ctx, request, "request.forward_reminded", {"contacts": [c.id for c in contacts]})
    return queued


def _escalate(ctx: Context, request: RightsRequest, staff: list[User]) -> int:
    queued = _mail_each(ctx, request, [(u.email, u.language) for u in staff], "forward_escalation")
    request.forward_escalated_at = ctx.now()
    _followed_up(ctx, request, "request.forward_escalated", {"staff": [u.id for u in staff]})
    return queued


def _followed_up(
    ctx: Context, request: RightsRequest, action: str, data: dict[str, object]
) -> None:
    audit.record(ctx.session, action, actor=SYSTEM, now=ctx.now(), request_id=request.id, data=data)


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
    staff = active_staff(ctx.session) if any(f.escalate for f in followups) else []
    queued = 0
    for item in followups:
        if item.remind:
            queued += _remind(ctx, item.request)
        if item.escalate:
            queued += _escalate(ctx, item.request, staff)
    ctx.session.flush()
    return queued
