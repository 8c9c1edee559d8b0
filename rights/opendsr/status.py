"""Where a request stands, in OpenDSR's words (docs/api.md, "Status"). OpenDSR knows four
values: pending, in_progress, completed, cancelled. A refusal is ``completed`` with the
outcome ``denied`` in the portal's extension (the spec has no denied state)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.models.api import OpenDsrSubmission
from rights.models.case import AnswerLetter
from rights.models.request import Outcome, RequestState, RightsRequest

__all__ = [
    "DENIAL_REASONS",
    "STATUS",
    "denial_reason",
    "expected_completion_time",
    "is_denied",
    "outcome_of",
    "request_of",
    "request_status",
    "rfc3339",
    "status_body",
]

STATUS: dict[RequestState, str] = {
    RequestState.AWAITING_VERIFICATION: "pending",
    RequestState.OPEN: "pending",
    RequestState.AWAITING_INFORMATION: "in_progress",
    RequestState.FORWARDED: "in_progress",
    RequestState.IN_PROGRESS: "in_progress",
    RequestState.AWAITING_APPROVAL: "in_progress",
    RequestState.ANSWERED: "completed",
    RequestState.CLOSED: "completed",
    RequestState.CLOSED_UNVERIFIED: "completed",
    RequestState.WITHDRAWN: "cancelled",
}


def request_status(request: RightsRequest) -> str:
    return STATUS[request.state]


def is_denied(request: RightsRequest) -> bool:
    """Completed without doing what was asked: refused, or closed unverified."""
    return request.state is RequestState.CLOSED_UNVERIFIED or (
        request_status(request) == "completed" and request.outcome is Outcome.REFUSED
    )


def expected_completion_time(request: RightsRequest) -> datetime:
    """The end of the due day (the extended one once extended), as an aware UTC time."""
    due_end = request.extended_due_end if request.extended else request.due_end
    return due_end.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-12-02T10:00:00Z``: UTC, whole seconds, as the spec's examples write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# DRP's denial reasons (docs/api.md, "Status") by the ground the answer cited; a refusal
# under the right's own exemptions is "claim_not_covered", anything else "other".
DENIAL_REASONS = {"art_11_2": "insuf_verification", "art_12_5": "too_many_requests"}
_COVERED_PREFIXES = ("art_15", "art_16", "art_17", "art_18", "art_20", "art_21")


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
    grounds = list(letter.grounds or []) if letter is not None else []
    for ground in grounds:
        if ground in DENIAL_REASONS:
            return DENIAL_REASONS[ground]
    if any(str(g).startswith(_COVERED_PREFIXES) for g in grounds):
        return "claim_not_covered"
    return "other"


def request_of(session: Session, submission: OpenDsrSubmission) -> RightsRequest | None:
    return session.get(RightsRequest, submission.request_id) if submission.request_id else None


def status_body(
    session: Session, submission: OpenDsrSubmission, controller_id: str, domain: str
) -> dict[str, Any]:
    """The status response (and callback body) of a submission: the spec's fields, plus
    under the portal's extension key the outcome of a denial and a deadline extension."""
    request = request_of(session, submission)
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
