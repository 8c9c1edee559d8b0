"""Decisions of a controller's designated contacts, and the checks that bind the processor to
them (docs/controllers.md, "Approvals and the gate").

A decision is on one action, on one package, or on the request as a whole. An approval is
bound to the request, to the action or package and to the digest of what it was given on
(the action's stored plan, the package's SHA-256); it lapses when the plan changes, and a
lapsed approval authorises nothing. ``rights.actions.gate.authorise_apply`` and
``rights.packages.release.release_package`` ask :func:`is_approved` and
:func:`package_approved`; nothing else decides whether a controller's data may be touched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.controllers.authority import (
    controller_of,
    designated_contact,
    is_designated,
    owner_of_action,
)
from rights.controllers.instructions import action_instruction
from rights.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from rights.grounds import possible_grounds
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.org import Organisation, User
from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RequestState, RightsRequest
from rights.models.source import ActionKind, ActionStatus, SourceAction

__all__ = [
    "MAX_REASON",
    "approving_decision",
    "current_decision",
    "current_package_decision",
    "decide_action",
    "decide_package",
    "decide_request",
    "decisions_for",
    "is_approved",
    "lapse",
    "package_approved",
    "plan_digest",
]

MAX_REASON = 2000
K = DecisionKind
# What may be decided on what; the audit code of each decision.
ON_ITEM = frozenset({K.APPROVE, K.REJECT, K.COMMENT})
ON_REQUEST = frozenset({K.ASK_IDENTITY, K.EXTEND, K.REFUSE, K.ANSWER_OURSELVES, K.COMMENT})
NEEDS_REASON = frozenset({K.REJECT, K.COMMENT, K.REFUSE})
VERDICTS = (K.APPROVE, K.REJECT)  # the decisions a later one supersedes
ITEM_EVENTS = {K.APPROVE: "approved", K.REJECT: "rejected", K.COMMENT: "commented"}
REQUEST_EVENTS = {
    K.ASK_IDENTITY: "controller.identity_asked",
    K.EXTEND: "controller.extension_decided",
    K.REFUSE: "controller.refused",
    K.ANSWER_OURSELVES: "controller.answers_ourselves",
    K.COMMENT: "controller.request_commented",
}
# The request is done: nothing is decided any more (rights.lifecycle.FINAL_STATES; not
# imported, because the lifecycle asks rights.controllers.authority).
_CLOSED = frozenset(
    {RequestState.ANSWERED, RequestState.WITHDRAWN, RequestState.CLOSED_UNVERIFIED,
     RequestState.CLOSED}
)  # fmt: skip


def plan_digest(plan: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the plan as canonical JSON (sorted keys, no spaces, ASCII)."""
    text = json.dumps(
        [dict(op) for op in plan], sort_keys=True, separators=(",", ":"), ensure_ascii=True,
        default=str,
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _reason(kind: DecisionKind, reason: str) -> str:
    text = reason.strip()
    if kind in NEEDS_REASON and not text:
        raise ValidationFailed("Give the reason for this decision.", code="reason_required")
    if len(text) > MAX_REASON:
        raise ValidationFailed("The reason is too long.", code="reason_too_long", limit=MAX_REASON)
    return text


def _kind(kind: DecisionKind, allowed: frozenset[DecisionKind]) -> None:
    if kind not in allowed:
        raise ValidationFailed("This decision cannot be taken here.", code="decision_kind")


def _open(request: RightsRequest) -> None:
    if request.state in _CLOSED:
        raise Conflict("The request is closed.", code="request_closed")


def _request(session: Session, request_id: int | None) -> RightsRequest:
    request = session.get(RightsRequest, request_id) if request_id is not None else None
    if request is None:
        raise NotFound()
    return request


def _supersede(session: Session, now: datetime, **where: int) -> None:
    cd = ControllerDecision
    query = select(cd).where(cd.kind.in_(VERDICTS), cd.lapsed_at.is_(None))
    for column, value in where.items():
        query = query.where(getattr(cd, column) == value)
    for old in session.scalars(query):
        old.lapsed_at = now


def _store(
    session: Session,
    *,
    request: RightsRequest,
    organisation: Organisation,
    contact: User,
    kind: DecisionKind,
    now: datetime,
    reason: str,
    **fields: Any,
) -> ControllerDecision:
    decision = ControllerDecision(
        request_id=request.id,
        organisation_id=organisation.id,
        kind=kind,
        reason=reason,
        decided_by_id=contact.id,
        decided_at=now,
        **fields,
    )
    session.add(decision)
    session.flush()
    return decision


def _audit(
    session: Session, event: str, decision: ControllerDecision, actor: Actor, now: datetime,
    **data: Any,
) -> None:  # fmt: skip
    audit.record(
        session,
        event,
        actor=actor,
        now=now,
        request_id=decision.request_id,
        object_type="controller_decision",
        object_id=decision.id,
        data={
            "kind": decision.kind.value,
            "contact_id": decision.decided_by_id,
            "organisation_id": decision.organisation_id,
            **data,
        },
    )


def decide_action(
    session: Session,
    action: SourceAction,
    kind: DecisionKind,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> ControllerDecision:
    """A designated contact of the action's owner approves, rejects or comments on it (only
    while it is prepared and its request open). An approval stores the plan's digest; a new
    approval or rejection supersedes the previous one. Raises ``NotFound`` for an action on
    the operator's own data, ``PermissionDenied`` ``not_designated``, ``ValidationFailed``
    ``decision_kind`` / ``reason_required`` / ``reason_too_long``, ``InvalidTransition``
    ``action_done``, ``Conflict`` ``request_closed``."""
    owner = owner_of_action(session, action)
    if owner is None:
        raise NotFound()
    contact = designated_contact(session, actor, owner)
    _kind(kind, ON_ITEM)
    if action.status is not ActionStatus.PREPARED:
        raise InvalidTransition("This action was already carried out.", code="action_done")
    request = _request(session, action.request_id)
    _open(request)
    text = _reason(kind, reason)
    if kind in VERDICTS:
        _supersede(session, now, action_id=action.id)
    digest = plan_digest(action.plan) if kind is K.APPROVE else ""
    decision = _store(
        session, request=request, organisation=owner, contact=contact, kind=kind, now=now,
        reason=text, action_id=action.id, digest=digest,
    )  # fmt: skip
    _audit(
        session, f"controller.action_{ITEM_EVENTS[kind]}", decision, actor, now,
        action_id=action.id, source_id=action.source_id, action_kind=action.kind.value,
    )  # fmt: skip
    return decision


def decide_package(
    session: Session,
    package: Package,
    kind: DecisionKind,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> ControllerDecision:
    """As :func:`decide_action`, for a built request package of a controller's request; the
    approval stores the package's SHA-256."""
    if package.kind != PackageKind.REQUEST or package.request_id is None:
        raise NotFound()
    request = _request(session, package.request_id)
    controller = controller_of(request)
    if controller is None:
        raise NotFound()
    contact = designated_contact(session, actor, controller)
    _kind(kind, ON_ITEM)
    if package.status is not PackageStatus.BUILT:
        raise InvalidTransition("Only a built package can be decided.", code="not_built")
    _open(request)
    text = _reason(kind, reason)
    if kind in VERDICTS:
        _supersede(session, now, package_id=package.id)
    digest = package.sha256 if kind is K.APPROVE else ""
    decision = _store(
        session, request=request, organisation=controller, contact=contact, kind=kind,
        now=now, reason=text, package_id=package.id, digest=digest,
    )  # fmt: skip
    _audit(
        session, f"controller.package_{ITEM_EVENTS[kind]}", decision, actor, now,
        package_id=package.id,
    )  # fmt: skip
    return decision


def decide_request(
    session: Session,
    request: RightsRequest,
    kind: DecisionKind,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
    ground: str | None = None,
) -> ControllerDecision:
    """A designated contact decides about the request as a whole: ask for proof of identity,
    extend, refuse (with a ground allowed for the right: ``ground_not_allowed``), answer the
    subject themselves (sets ``controller_answers``), or comment. Records and audits only:
    the caller carries out the effect with the contact as actor."""
    controller = controller_of(request)
    if controller is None:
        raise NotFound()
    contact = designated_contact(session, actor, controller)
    _kind(kind, ON_REQUEST)
    _open(request)
    text = _reason(kind, reason)
    if kind is K.REFUSE and ground not in possible_grounds(request.right, request.details):
        raise ValidationFailed(
            "This ground does not apply to this right.", code="ground_not_allowed"
        )
    if kind is K.ANSWER_OURSELVES:
        request.controller_answers = True
        request.updated_at = now
    kept_ground = ground if kind in (K.REFUSE, K.EXTEND) else None
    decision = _store(
        session, request=request, organisation=controller, contact=contact, kind=kind,
        now=now, reason=text, ground=kept_ground,
    )  # fmt: skip
    _audit(session, REQUEST_EVENTS[kind], decision, actor, now, ground=kept_ground)
    return decision


def _latest_verdict(session: Session, about: ColumnElement[bool]) -> ControllerDecision | None:
    """The latest approval or rejection that has not lapsed, where ``about`` holds."""
    cd = ControllerDecision
    return session.scalar(
        select(cd)
        .where(about, cd.kind.in_(VERDICTS), cd.lapsed_at.is_(None))
        .order_by(cd.decided_at.desc(), cd.id.desc())
        .limit(1)
    )


def current_decision(session: Session, action: SourceAction) -> ControllerDecision | None:
    """The latest approval or rejection of ``action`` that has not lapsed."""
    return _latest_verdict(session, ControllerDecision.action_id == action.id)


def approving_decision(session: Session, action: SourceAction) -> ControllerDecision | None:
    """The approval that authorises ``action`` as it stands now: not lapsed, given on this
    very plan, by a contact who is still designated for the action's owner."""
    owner = owner_of_action(session, action)
    decision = current_decision(session, action)
    if owner is None or decision is None or decision.kind is not K.APPROVE:
        return None
    if decision.organisation_id != owner.id or decision.digest != plan_digest(action.plan):
        return None
    contact = session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    return decision if is_designated(contact, owner) else None


def is_approved(session: Session, action: SourceAction) -> bool:
    """Whether the action's owner authorised it as planned: a valid approval
    (:func:`approving_decision`), or the request is that controller's instruction naming
    the action's kind. ``False`` for an action on the operator's own data (it needs none)."""
    owner = owner_of_action(session, action)
    if owner is None:
        return False
    if approving_decision(session, action) is not None:
        return True
    return action_instruction(session, action) is not None


def current_package_decision(session: Session, package: Package) -> ControllerDecision | None:
    """The latest approval or rejection of ``package`` that has not lapsed."""
    return _latest_verdict(session, ControllerDecision.package_id == package.id)


def package_approved(session: Session, package: Package) -> bool:
    """Whether a designated contact of the request's controller approved exactly this
    package (its SHA-256), and the approval has not lapsed."""
    request = session.get(RightsRequest, package.request_id) if package.request_id else None
    controller = controller_of(request) if request is not None else None
    if controller is None:
        return False
    decision = current_package_decision(session, package)
    if decision is None or decision.kind is not K.APPROVE or decision.digest != package.sha256:
        return False
    contact = session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    return decision.organisation_id == controller.id and is_designated(contact, controller)


def lapse(
    session: Session,
    request_id: int,
    *,
    now: datetime,
    reason: str,
    source_id: int | None = None,
    action_id: int | None = None,
    kind: ActionKind | None = None,
    actor: Actor = audit.SYSTEM,
) -> int:
    """Mark the matching approvals of actions of request ``request_id`` lapsed (optionally
    only in one source, of one action, or of actions of one kind) and audit each
    (``controller.approval_lapsed``, with ``reason``, a code). Returns how many lapsed."""
    cd, sa = ControllerDecision, SourceAction
    query = (
        select(cd)
        .join(sa, sa.id == cd.action_id)
        .where(cd.request_id == request_id, cd.kind == K.APPROVE, cd.lapsed_at.is_(None))
    )
    if source_id is not None:
        query = query.where(sa.source_id == source_id)
    if action_id is not None:
        query = query.where(sa.id == action_id)
    if kind is not None:
        query = query.where(sa.kind == kind)
    lapsed = list(session.scalars(query.order_by(cd.id)))
    for decision in lapsed:
        decision.lapsed_at = now
        session.flush()
        audit.record(
            session,
            "controller.approval_lapsed",
            actor=actor,
            now=now,
            request_id=request_id,
            object_type="controller_decision",
            object_id=decision.id,
            data={"action_id": decision.action_id, "reason": reason},
        )
    return len(lapsed)


def decisions_for(session: Session, request: RightsRequest) -> list[ControllerDecision]:
    """Every decision on the request, its actions and its packages, oldest first."""
    cd = ControllerDecision
    return list(
        session.scalars(
            select(cd).where(cd.request_id == request.id).order_by(cd.decided_at, cd.id)
        )
    )
