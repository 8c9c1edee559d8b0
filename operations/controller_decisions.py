"""What a controller's designated contact decides in the controller portal, and what the
processor then does for them (docs/controllers.md, "The controller portal").

The domain (``rights.controllers.approvals``) records and audits each decision and refuses
anyone who is not a designated contact. The effects of a decision on the request as a
whole run here, in the same transaction and with the contact as actor, through the paths
an officer uses: the identity question (the clock rules of suspension apply) and the
extension notice. Nothing is committed here: the web edge commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from operations.context import Context
from rights import audit, casework, lifecycle
from rights import requests as request_ops
from rights.controllers import approvals
from rights.controllers.authority import controller_of, designated_contact
from rights.errors import InvalidTransition, NotFound
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.org import User
from rights.models.package import Package
from rights.models.request import RequestState, RightsRequest
from rights.models.source import SourceAction
from rights.outbox import queue_mail
from rights.users import active_staff

ACTION_KINDS = (DecisionKind.APPROVE, DecisionKind.REJECT, DecisionKind.COMMENT)
PACKAGE_KINDS = (DecisionKind.APPROVE, DecisionKind.REJECT)
REQUEST_KINDS = (
    DecisionKind.ASK_IDENTITY,
    DecisionKind.EXTEND,
    DecisionKind.REFUSE,
    DecisionKind.ANSWER_OURSELVES,
)
STAFF_MAIL = "controller_decided"


@dataclass(frozen=True)
class RequestDecision:
    """A decision on the request as a whole, as the contact gave it."""

    kind: DecisionKind
    reason: str = ""
    # REFUSE: a refusal ground allowed for the right (rights.grounds); EXTEND: an
    # extension ground (rights.requests.EXTENSION_GROUNDS).
    ground: str | None = None


def decide_action(
    ctx: Context, action: SourceAction, kind: DecisionKind, reason: str = ""
) -> ControllerDecision:
    """Approve, reject (with a reason) or comment on one proposed action."""
    return approvals.decide_action(
        ctx.session, action, kind, actor=ctx.actor, now=ctx.now(), reason=reason
    )


def decide_package(
    ctx: Context, package: Package, kind: DecisionKind, reason: str = ""
) -> ControllerDecision:
    """Approve or reject the release of one built package to the subject."""
    return approvals.decide_package(
        ctx.session, package, kind, actor=ctx.actor, now=ctx.now(), reason=reason
    )


def _ask_identity(ctx: Context, request: RightsRequest, decision: RequestDecision) -> None:
    casework.ask_information(
        ctx.session,
        request,
        "identity",
        decision.reason,
        actor=ctx.actor,
        now=ctx.now(),
        policy=ctx.policy,
    )


def _extend(ctx: Context, request: RightsRequest, decision: RequestDecision) -> None:
    request_ops.extend(
        ctx.session,
        request,
        decision.ground or "",
        decision.reason,
        actor=ctx.actor,
        now=ctx.now(),
    )


def _nothing(ctx: Context, request: RightsRequest, decision: RequestDecision) -> None:
    """Recorded only: the officer answers (a refusal in the controller's name) or hands the
    results back (the controller answers the subject itself)."""


EFFECTS: dict[DecisionKind, Callable[[Context, RightsRequest, RequestDecision], None]] = {
    DecisionKind.ASK_IDENTITY: _ask_identity,
    DecisionKind.EXTEND: _extend,
    DecisionKind.REFUSE: _nothing,
    DecisionKind.ANSWER_OURSELVES: _nothing,
}


def decide_request(
    ctx: Context, request: RightsRequest, decision: RequestDecision
) -> ControllerDecision:
    """Record the contact's decision on the request, then carry out its effect as the
    contact: the processor sends the identity question or the extension notice."""
    effect = EFFECTS.get(decision.kind)
    if effect is None:
        raise NotFound("not a decision on a request", code="not_found")
    recorded = approvals.decide_request(
        ctx.session,
        request,
        decision.kind,
        actor=ctx.actor,
        now=ctx.now(),
        reason=decision.reason,
        ground=decision.ground,
    )
    effect(ctx, request, decision)
    return recorded


def _officers(ctx: Context, request: RightsRequest) -> list[User]:
    """The assignee when there is an active one, otherwise every active officer."""
    if request.assignee is not None and request.assignee.active and request.assignee.is_staff:
        return [request.assignee]
    return active_staff(ctx.session)


def send_to_processor(ctx: Context, request: RightsRequest) -> int:
    """The contact is done: a forwarded request goes back to the processor's officers
    (IN_PROGRESS, audited) and they get a mail without personal data. Returns the number of
    mails queued."""
    organisation = controller_of(request)
    if organisation is None:
        raise NotFound("not a controller's request", code="not_found")
    contact = designated_contact(ctx.session, ctx.actor, organisation)
    if request.state is not RequestState.FORWARDED:
        raise InvalidTransition("the request is not with the controller", code="not_forwarded")
    now = ctx.now()
    lifecycle.transition(
        ctx.session,
        request,
        RequestState.IN_PROGRESS,
        actor=ctx.actor,
        now=now,
        data={"by": "controller", "organisation_id": organisation.id},
    )
    decisions = len(approvals.decisions_for(ctx.session, request))
    audit.record(
        ctx.session,
        "controller.decisions_sent",
        actor=ctx.actor,
        now=now,
        request_id=request.id,
        data={"contact_id": contact.id, "decisions": decisions},
    )
    officers = _officers(ctx, request)
    for officer in officers:
        queue_mail(
            ctx.session,
            to=officer.email,
            template=STAFF_MAIL,
            language=officer.language,
            now=now,
            context={"reference": request.reference, "decisions": decisions},
        )
    return len(officers)
