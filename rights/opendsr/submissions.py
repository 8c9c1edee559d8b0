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
from rights.models.request import RequestState
from rights.opendsr.status import denial_reason, request_of, rfc3339, status_body
from rights.opendsr.texts import N_
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
    request = request_of(session, submission)
    if request is None or request.state not in PENDING:
        raise RequestInvalid.one(
            "subject_request_id", "not_pending", N_("only a pending request can be cancelled")
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
