"""Who decides a request, and whose data an action touches (docs/controllers.md, "Who
decides").

A processor acts on a controller's data only on the controller's documented instructions
(Art. 28(3)(a), Art. 29 GDPR; docs/legal.md, "Processors", P-2). So for a request of a
controller, the decisions (identity, extension, refusal, the approval of each action) are
made by that controller's *designated contacts*, never by the operator's officers; the
operator's own requests are decided by its staff, as before.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from rights.audit import Actor
from rights.errors import PermissionDenied
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.org import Answering, Organisation, OrganisationKind, Role, User
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SourceAction

__all__ = [
    "answers_itself",
    "controller_of",
    "designated_contact",
    "is_designated",
    "owner_of_action",
    "refusal_decided",
    "require_decider",
    "user_of",
]


def _controller(organisation: Organisation | None) -> Organisation | None:
    if organisation is not None and organisation.kind is OrganisationKind.CONTROLLER:
        return organisation
    return None


def controller_of(request: RightsRequest) -> Organisation | None:
    """The request's organisation when it is a controller; ``None`` for the operator's own
    requests and for requests whose organisation is not known yet."""
    return _controller(request.organisation)


def answers_itself(request: RightsRequest) -> Organisation | None:
    """The controller when it answers the subject itself (its decision "we answer the
    subject ourselves" on this request, or its standing setting ``answering``): the
    processor then sends the subject no answer and no package (P-4). ``None`` otherwise."""
    controller = controller_of(request)
    if controller is None:
        return None
    if request.controller_answers or controller.answering is Answering.CONTROLLER:
        return controller
    return None


def owner_of_action(session: Session, action: SourceAction) -> Organisation | None:
    """The controller whose data ``action`` touches: the source's organisation when that is a
    controller; for an action without a source, the request's controller. ``None``: the
    operator's own data."""
    if action.source_id is not None:
        source = action.source or session.get(DataSource, action.source_id)
        return _controller(source.organisation if source is not None else None)
    request = session.get(RightsRequest, action.request_id)
    return controller_of(request) if request is not None else None


def user_of(session: Session, actor: Actor) -> User | None:
    """The logged-in user behind ``actor``, or ``None`` (the subject, the system)."""
    if actor.kind != "user" or actor.id is None:
        return None
    return session.get(User, actor.id)


def is_designated(user: User | None, organisation: Organisation) -> bool:
    """True for an active, designated controller contact of ``organisation``."""
    return (
        user is not None
        and user.active
        and user.designated
        and user.role is Role.CONTROLLER
        and user.organisation_id == organisation.id
    )


def designated_contact(session: Session, actor: Actor, organisation: Organisation) -> User:
    """The designated contact of ``organisation`` behind ``actor``, or ``PermissionDenied``
    ``not_designated`` (staff, a contact who is not designated, another controller's
    contact, the subject, the system)."""
    user = user_of(session, actor)
    if user is None or not is_designated(user, organisation):
        raise PermissionDenied(
            "Only a designated contact of the controller decides this.", code="not_designated"
        )
    return user


def require_decider(session: Session, request: RightsRequest, actor: Actor) -> None:
    """P-2: a controller's request is decided only by its designated contacts
    (``PermissionDenied`` ``controller_decides`` for staff, ``not_designated`` for anyone
    else); the operator's own requests only by staff (``staff_only`` for a controller's
    contact). Actors without a user (the system) keep today's behaviour on the operator's
    own requests."""
    controller = controller_of(request)
    user = user_of(session, actor)
    if controller is not None:
        if user is not None and user.is_staff:
            raise PermissionDenied(
                "The controller decides this request; its designated contact must do this.",
                code="controller_decides",
            )
        designated_contact(session, actor, controller)
        return
    if user is not None and not user.is_staff:
        raise PermissionDenied("Only the privacy desk decides this request.", code="staff_only")


def refusal_decided(session: Session, request: RightsRequest, *, partial: bool) -> bool:
    """Whether the controller decided the refusal this answer carries: a non-lapsed REFUSE
    on the request (a full refusal), or also a REJECT of one of its actions (a partial
    refusal), by a contact of the request's controller."""
    controller = controller_of(request)
    if controller is None:
        return True
    kinds = [DecisionKind.REFUSE, DecisionKind.REJECT] if partial else [DecisionKind.REFUSE]
    cd = ControllerDecision
    query = select(
        exists().where(
            cd.request_id == request.id,
            cd.organisation_id == controller.id,
            cd.kind.in_(kinds),
            cd.lapsed_at.is_(None),
        )
    )
    return bool(session.scalar(query))
