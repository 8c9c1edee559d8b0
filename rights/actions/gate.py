"""The one gate every action passes before its ``apply`` touches any data.

:func:`authorise_apply` is the single place that decides whether a prepared action may be
carried out now, by this actor: the processor's own rules (four eyes) and, on a
controller's data, the controller's approval (Art. 28(3)(a): a processor acts on a
controller's data only on its documented instructions; docs/controllers.md, "Approvals and
the gate").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rights.actions.states import ACTION_STATES
from rights.audit import Actor
from rights.controllers.approvals import current_decision, is_approved
from rights.controllers.authority import owner_of_action
from rights.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from rights.lifecycle import FINAL_STATES
from rights.models.controller import DecisionKind
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, SourceAction

__all__ = ["authorise_apply", "controller_hold", "ensure_request_open"]


def ensure_request_open(request: RightsRequest) -> None:
    """Raise ``Conflict`` ``request_closed``: a closed request is locked (nothing is prepared
    or carried out for it any more)."""
    if request.state in FINAL_STATES:
        raise Conflict("The request is closed.", code="request_closed")


def authorise_apply(session: Session, action: SourceAction, *, actor: Actor) -> RightsRequest:
    """Allow ``actor`` to carry out ``action`` now, or raise; returns the action's request.

    The rules, in this order:

    1. the action is still as previewed: prepared, not yet carried out
       (``InvalidTransition`` ``action_done``, 409);
    2. its request exists (``NotFound``) and is open (``Conflict`` ``request_closed``);
    3. four eyes on erasure: the officer who prepared an erasure cannot execute it
       (``PermissionDenied`` ``four_eyes``);
    4. on a controller's data (``owner_of_action``): never after the controller rejected it
       (``PermissionDenied`` ``controller_rejected``), and only with its designated
       contact's approval of this very plan, or its instruction naming the action's kind
       (``PermissionDenied`` ``controller_approval``).

    Add further conditions for carrying out an action here, so that every ``apply`` is
    covered by them.
    """
    if not ACTION_STATES.can(action.status, ActionStatus.EXECUTED):
        raise InvalidTransition(
            "This action was already carried out.",
            code="action_done",
            current=action.status.value,
        )
    request = session.get(RightsRequest, action.request_id)
    if request is None:
        raise NotFound()
    ensure_request_open(request)
    if (
        action.kind is ActionKind.ERASE
        and actor.id is not None
        and actor.id == action.prepared_by_id
    ):
        raise PermissionDenied(
            "Another officer must execute an erasure you prepared.", code="four_eyes"
        )
    _controller_authorised(session, action)
    return request


def controller_hold(session: Session, action: SourceAction) -> str | None:
    """What keeps the controller's side of ``action`` from being carried out now:
    ``controller_rejected`` (never), ``controller_approval`` (not yet approved as previewed),
    or ``None`` (approved, instructed, or the operator's own data)."""
    if owner_of_action(session, action) is None:
        return None  # the operator's own data: its own officers decide
    decision = current_decision(session, action)
    if decision is not None and decision.kind is DecisionKind.REJECT:
        return "controller_rejected"
    if not is_approved(session, action):
        return "controller_approval"
    return None


def _controller_authorised(session: Session, action: SourceAction) -> None:
    hold = controller_hold(session, action)
    if hold == "controller_rejected":
        raise PermissionDenied(
            "The controller rejected this action; it cannot be carried out.",
            code="controller_rejected",
        )
    if hold == "controller_approval":
        raise PermissionDenied(
            "The controller has not approved this action as previewed.",
            code="controller_approval",
        )
