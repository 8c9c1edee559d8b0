"""The OpenDSR store (docs/api.md, "Endpoints" and "Status"): a controller's submissions by
its own ``subject_request_id``, their idempotency digest, the status and cancel bodies, and
the cancellation through the request lifecycle. Flask-free."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, lifecycle
from rights.audit import Actor
from rights.errors import NotFound
from rights.models.api import OpenDsrSubmission
from rights.models.case import AnswerLetter
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.opendsr.status import expected_completion_time, is_denied, request_status, rfc3339
from rights.opendsr.validation import RequestInvalid

__all__ = [
    "PENDING",
    "body_digest",
    "cancel",
    "cancel_body",
    "denial_reason",
    "find",
    "status_body",
]

PENDING = frozenset({RequestState.AWAITING_VERIFICATION, RequestState.OPEN})

# DRP's denial reasons (docs/api.md, "Status") by the ground the answer cited.
DENIAL_REASONS = {"art_11_2": "insuf_verification", "art_12_5": "too_many_requests"}


def body_digest(body: object) -> str:
    """SHA-256 of the canonical JSON of ``body``: JSON-equal bodies share a digest."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def find(session: Session, organisation_id: int, subject_request_id: str) -> OpenDsrSubmission:
    """The organisation's submission with that id; ``NotFound`` for an unknown id and for
    another controller's alike."""
    submission = (
        session.scalar(
            select(OpenDsrSubmission).where(
                OpenDsrSubmission.organisation_id == organisation_id,
                OpenDsrSubmission.subject_request_id == subject_request_id,
            )
        )
        if len(subject_request_id) <= 36  # what the column holds: longer is no id of ours
        else None
    )
    if submission is None:
        raise NotFound("no such request")
    return submission


def _last_letter(session: Session, request: RightsRequest) -> AnswerLetter | None:
    return session.scalar(
        select(AnswerLetter)
        .where(AnswerLetter.request_id == request.id, AnswerLetter.sent_at.is_not(None))
        .order_by(AnswerLetter.sent_at.desc(), AnswerLetter.id.desc())
        .limit(1)
    )


def outcome_of(session: Session, request: RightsRequest) -> Outcome | None:
    """The answer's outcome; the sent letter keeps it once a later state no longer does."""
    if request.outcome is not None:
        return request.outcome
    letter = _last_letter(session, request)
    return letter.outcome if letter is not None else None


def denial_reason(session: Session, request: RightsRequest) -> str:
    if request.state is RequestState.CLOSED_UNVERIFIED:
        return "insuf_verification"
    letter = _last_letter(session, request)
    for ground in letter.grounds if letter is not None else ():
        if ground in DENIAL_REASONS:
            return DENIAL_REASONS[ground]
    return "other"


def _request(session: Session, submission: OpenDsrSubmission) -> RightsRequest | None:
    return session.get(RightsRequest, submission.request_id) if submission.request_id else None


def status_body(
    session: Session, submission: OpenDsrSubmission, controller_id: str, domain: str
) -> dict[str, Any]:
    """The status response (and callback body) of a submission: the spec's fields, plus
    under the portal's extension key the outcome of a denial and a deadline extension."""
    request = _request(session, submission)
    body: dict[str, Any] = {
        "api_version": submission.api_version,
        "controller_id": controller_id,
        "subject_request_id": submission.subject_request_id,
    }
    if request is None:  # the request itself is gone (never left behind by the portal)
        body["request_status"] = submission.last_status
        return body
    body["request_status"] = request_status(request)
    body["expected_completion_time"] = rfc3339(expected_completion_time(request))
    extension: dict[str, Any] = {}
    outcome = outcome_of(session, request) if body["request_status"] == "completed" else None
    if is_denied(request) or outcome is Outcome.REFUSED:
        extension.update(outcome="denied", reason=denial_reason(session, request))
    elif body["request_status"] == "completed":
        partly = outcome is Outcome.PARTIALLY_FULFILLED
        extension["outcome"] = "partially_fulfilled" if partly else "fulfilled"
    if request.extended:
        extension["deadline_extended"] = True
    if extension:
        body["extensions"] = {domain: extension}
    return body


def cancel_body(submission: OpenDsrSubmission, controller_id: str) -> dict[str, Any]:
    return {
        "api_version": submission.api_version,
        "controller_id": controller_id,
        "received_time": rfc3339(submission.received_at),
        "subject_request_id": submission.subject_request_id,
    }


def cancel(session: Session, submission: OpenDsrSubmission, *, actor: Actor, now: datetime) -> None:
    """Cancel while the request is pending (spec section 7.5: otherwise a 400): the request
    is withdrawn through the lifecycle, audited with the key as actor (flushes)."""
    request = _request(session, submission)
    if request is None or request.state not in PENDING:
        raise RequestInvalid(
            [
                {
                    "domain": "Validation",
                    "reason": "not_pending",
                    "message": "only a pending request can be cancelled",
                    "field": "subject_request_id",
                }
            ]
        )
    lifecycle.transition(session, request, RequestState.WITHDRAWN, actor=actor, now=now)
    submission.cancelled_at = now
    session.flush()
    audit.record(
        session,
        "opendsr.cancelled",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="opendsr_submission",
        object_id=submission.id,
    )
