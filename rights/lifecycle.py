"""The request lifecycle as data: a transition table, and one function that applies it.

Every transition writes an audit event in the same transaction (docs/architecture.md, "States as
data").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from rights import audit, grounds
from rights.audit import Actor
from rights.controllers.authority import controller_of, refusal_decided
from rights.errors import InvalidTransition, PermissionDenied
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.opendsr.callbacks import queue_status_change

S = RequestState

TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    S.AWAITING_VERIFICATION: frozenset({S.OPEN, S.CLOSED_UNVERIFIED, S.WITHDRAWN}),
    S.OPEN: frozenset(
        {S.AWAITING_INFORMATION, S.FORWARDED, S.IN_PROGRESS, S.ANSWERED, S.WITHDRAWN}
    ),
    # CLOSED_UNVERIFIED: the identity question was never answered (rights.unanswered).
    S.AWAITING_INFORMATION: frozenset(
        {S.OPEN, S.IN_PROGRESS, S.FORWARDED, S.ANSWERED, S.WITHDRAWN, S.CLOSED_UNVERIFIED}
    ),
    S.FORWARDED: frozenset(
        {S.IN_PROGRESS, S.AWAITING_INFORMATION, S.AWAITING_APPROVAL, S.ANSWERED, S.WITHDRAWN}
    ),
    S.IN_PROGRESS: frozenset(
        {S.AWAITING_INFORMATION, S.FORWARDED, S.AWAITING_APPROVAL, S.ANSWERED, S.WITHDRAWN}
    ),
    S.AWAITING_APPROVAL: frozenset({S.IN_PROGRESS, S.FORWARDED, S.ANSWERED, S.WITHDRAWN}),
    S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),  # IN_PROGRESS = reopen in the window
    S.WITHDRAWN: frozenset({S.OPEN}),  # reopen within the window
    S.CLOSED_UNVERIFIED: frozenset(),
    S.CLOSED: frozenset(),
}

OPEN_STATES = frozenset(
    {
        S.AWAITING_VERIFICATION,
        S.OPEN,
        S.AWAITING_INFORMATION,
        S.FORWARDED,
        S.IN_PROGRESS,
        S.AWAITING_APPROVAL,
    }
)
FINAL_STATES = frozenset({S.ANSWERED, S.WITHDRAWN, S.CLOSED_UNVERIFIED, S.CLOSED})


def can_transition(current: RequestState, target: RequestState) -> bool:
    return target in TRANSITIONS[current]


def _controller_refused(session: Session, request: RightsRequest, partial: bool) -> None:
    """P-2: on a controller's request, what is refused was refused by the controller (a
    REFUSE decision; for a partial refusal also a rejected action), docs/controllers.md."""
    if not refusal_decided(session, request, partial=partial):
        raise PermissionDenied(
            "The controller has not decided this refusal.", code="controller_refusal"
        )


def transition(
    session: Session,
    request: RightsRequest,
    target: RequestState,
    *,
    actor: Actor,
    now: datetime,
    outcome: Outcome | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """Move ``request`` to ``target`` or raise ``InvalidTransition`` (mapped to 409)."""
    current = request.state
    if not can_transition(current, target):
        raise InvalidTransition(
            f"cannot go from {current.value} to {target.value}",
            current=current.value,
            target=target.value,
        )
    if (target is S.ANSWERED) != (outcome is not None):
        raise InvalidTransition("an answer needs an outcome, and only an answer has one")
    refusing = outcome is not None and outcome is not Outcome.FULFILLED
    if refusing and not grounds.can_refuse(request.right, request.details):
        # Art. 21(3) and Art. 7(3), whatever path answers (docs/legal.md).
        raise InvalidTransition("this request cannot be refused", code="refusal_not_allowed")
    if refusing and controller_of(request) is not None:
        _controller_refused(session, request, outcome is Outcome.PARTIALLY_FULFILLED)
    request.state = target
    request.outcome = outcome
    request.updated_at = now
    if target is S.ANSWERED:
        request.answered_at = now
    if target in (S.CLOSED, S.CLOSED_UNVERIFIED):
        request.closed_at = now
    event_data: dict[str, object] = {"from": current.value, "to": target.value}
    if outcome is not None:
        event_data["outcome"] = outcome.value
    event_data.update(data or {})
    audit.record(
        session, "request.transition", actor=actor, now=now, request_id=request.id, data=event_data
    )
    # A request that came over the API tells the controller's systems (docs/api.md).
    queue_status_change(session, request, now)
