"""Close requests whose identity question was never answered (Art. 11(2), 12(6) GDPR;
docs/legal.md, "Identity"): after ``policy.identity_answer_days`` the request closes as
"could not be identified" and the subject gets a notice with the reasons and the
complaint and court information (Art. 12(4)). A scheduled job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights.models.request import IdentityStatus, RequestState, RightsRequest, Suspension
from rights.outbox import queue_mail
from rights.policy import Policy

BATCH = 500


def close_unanswered_identity(session: Session, *, now: datetime, policy: Policy) -> int:
    """Close every request waiting longer than ``policy.identity_answer_days`` for the
    answer to an identity question; returns how many (flushes; the caller commits)."""
    cutoff = now - timedelta(days=policy.identity_answer_days)
    rows = session.scalars(
        select(RightsRequest)
        .join(Suspension, Suspension.request_id == RightsRequest.id)
        .where(
            RightsRequest.state == RequestState.AWAITING_INFORMATION,
            Suspension.reason == "identity",
            Suspension.answered_at.is_(None),
            Suspension.asked_at <= cutoff,
        )
        .order_by(RightsRequest.id)
        .limit(BATCH)
    )
    count = 0
    for request in list(rows):
        lifecycle.transition(
            session,
            request,
            RequestState.CLOSED_UNVERIFIED,
            actor=audit.SYSTEM,
            now=now,
            data={"reason": "identity_not_answered"},
        )
        request.identity_status = IdentityStatus.FAILED
        request.link_generation += 1
        if request.requester_email:
            queue_mail(
                session,
                to=request.requester_email,
                template="identity_unanswered",
                language=request.language,
                now=now,
                request_id=request.id,
                context={"days": policy.identity_answer_days},
            )
        count += 1
    session.flush()
    return count
