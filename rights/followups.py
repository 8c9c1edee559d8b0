"""The erasure that follows a withdrawal of consent (Art. 17(1)(b) GDPR) or an objection
(Art. 17(1)(c)): offered to the officer, opened as a linked erasure case on the same
subject (docs/legal.md, "Withdrawal of consent").

The erasure is the controller's own duty once consent is gone and no other ground
remains, so the new case starts open, with the identity already established on the
original request, and its clock runs from the moment it is opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights import requests as ops
from rights.audit import Actor
from rights.errors import InvalidTransition
from rights.models.casework import CaseLink
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.policy import Policy
from rights.righttypes import ErasureDetails, RightType

LINK_KIND = "follow_up"


def follow_up_ground(request: RightsRequest) -> str | None:
    """The Art. 17(1) ground of the erasure that may follow, or None: (b) after a withdrawal
    of consent, (c) after an objection that was not refused."""
    if request.right is RightType.WITHDRAW_CONSENT:
        return "b"
    if request.right is RightType.OBJECTION and request.outcome is not Outcome.REFUSED:
        return "c"
    return None


def existing_follow_up(
    session: Session, request: RightsRequest, links: Sequence[CaseLink] | None = None
) -> RightsRequest | None:
    """The erasure opened as ``request``'s follow-up, or None. ``links``: every link that
    names the request, when the caller has loaded them (the case page does): then no query
    is made unless one of them is a follow-up link."""
    if links is not None and not any(
        link.kind == LINK_KIND and link.other_id == request.id for link in links
    ):
        return None
    return session.scalar(
        select(RightsRequest)
        .join(CaseLink, CaseLink.request_id == RightsRequest.id)
        .where(CaseLink.kind == LINK_KIND, CaseLink.other_id == request.id)
        .limit(1)
    )


def open_follow_up_erasure(
    session: Session, request: RightsRequest, *, actor: Actor, now: datetime, policy: Policy
) -> RightsRequest:
    """Open the linked erasure case (flushes). ``InvalidTransition``: ``no_follow_up`` when
    none applies, ``follow_up_exists`` when it was opened before."""
    ground = follow_up_ground(request)
    if ground is None:
        raise InvalidTransition("no erasure follows from this request", code="no_follow_up")
    if existing_follow_up(session, request) is not None:
        raise InvalidTransition("the follow-up was already opened", code="follow_up_exists")
    group = request.group_reference or request.reference
    request.group_reference = group
    intake = ops.Intake(
        right=RightType.ERASURE,
        details=ErasureDetails(ground=ground, scope="all"),
        requester=ops.Requester(
            name=request.requester_name,
            email=request.requester_email,
            phone=request.requester_phone,
            address=request.requester_address,
            customer_number=request.requester_customer_number,
        ),
        received_at=now,
        channel=request.channel,
        language=request.language,
        organisation_id=request.organisation_id,
        representative=request.representative,
        extra={"follow_up_of": request.id},
    )
    new = ops.create_request(
        session, intake, actor=actor, now=now, policy=policy, group_reference=group
    )
    new.identity_status = request.identity_status
    new.email_verified_at = request.email_verified_at
    if new.state is RequestState.AWAITING_VERIFICATION:
        lifecycle.transition(session, new, RequestState.OPEN, actor=actor, now=now)
    session.add(
        CaseLink(
            kind=LINK_KIND,
            request_id=new.id,
            other_id=request.id,
            created_by_id=actor.id,
            created_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        "request.follow_up",
        actor=actor,
        now=now,
        request_id=request.id,
        data={"ground": f"art_17_1_{ground}", "new_request": new.id},
    )
    return new
