"""Status callbacks to the controller's systems (docs/api.md, "Callbacks"): the durable outbox
pattern. ``queue_status_change`` runs inside every request state change
(``rights.lifecycle.transition``) and extension (``rights.requests.extend``), and writes one
``CallbackDelivery`` per ``status_callback_url`` (when the status or the expected completion
time moved) with the exact body to post, in the same transaction; the worker
(``operations.callbacks``) claims due rows with a lease, posts them signed, and marks them
sent, or retries them with backoff until they are dead.

The processor domain (the extension key of a denial) is the host of the base URL. The web
edge, the commands and the worker put it on their sessions (``use_processor_domain``), so the
lifecycle needs no extra parameter; a session without it (a domain test) uses ``localhost``,
the host of the default base URL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import SYSTEM
from rights.models.api import CallbackDelivery, CallbackStatus, OpenDsrSubmission
from rights.models.org import Organisation
from rights.models.request import RightsRequest
from rights.opendsr.status import expected_completion_time, request_status, rfc3339, status_body
from rights.transitions import TransitionTable

__all__ = [
    "CALLBACK_STATUS",
    "MAX_ATTEMPTS",
    "backoff",
    "claim_due",
    "encode",
    "last_reported_completion",
    "mark_dead",
    "mark_failed",
    "mark_sent",
    "processor_domain_of",
    "queue_status_change",
    "status_document",
    "use_processor_domain",
]

DOMAIN_KEY = "opendsr.processor_domain"
MAX_ATTEMPTS = 10
CLAIM_LEASE = timedelta(minutes=5)

CALLBACK_STATUS: TransitionTable[CallbackStatus] = TransitionTable(
    "status callback",
    {
        # A failed attempt that will be retried stays pending.
        CallbackStatus.PENDING: frozenset(
            {CallbackStatus.PENDING, CallbackStatus.SENT, CallbackStatus.DEAD}
        ),
        CallbackStatus.SENT: frozenset(),
        CallbackStatus.DEAD: frozenset(),
    },
)


def use_processor_domain(session: Session, domain: str) -> None:
    session.info[DOMAIN_KEY] = domain


def processor_domain_of(session: Session) -> str:
    return str(session.info.get(DOMAIN_KEY) or "localhost")


def status_document(
    session: Session, request: RightsRequest, submission: OpenDsrSubmission, *, domain: str
) -> dict[str, Any]:
    """The status body of OpenDSR (``rights.opendsr.submissions.status_body``, which the
    status endpoint answers too), from the submitting organisation's slug."""
    controller = session.get(Organisation, submission.organisation_id)
    return status_body(session, submission, controller.slug if controller else "", domain)


def encode(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def last_reported_completion(submission: OpenDsrSubmission) -> str:
    """The expected completion time the controller was last told: by the latest callback
    queued, else by the create response."""
    return submission.last_expected_completion or str(
        (submission.response or {}).get("expected_completion_time") or ""
    )


def queue_status_change(session: Session, request: RightsRequest, now: datetime) -> int:
    """When ``request`` came over the API and its OpenDSR status, or its expected completion
    time (an extension, a pause that ended), is no longer the one last reported, queue one
    callback per status_callback_url and remember both (flushes nothing itself; the
    caller's transaction carries it). Returns how many were queued."""
    if request.id is None:
        return 0
    submission = session.scalar(
        select(OpenDsrSubmission).where(OpenDsrSubmission.request_id == request.id)
    )
    if submission is None:
        return 0
    status = request_status(request)
    completion = rfc3339(expected_completion_time(request))
    reported = last_reported_completion(submission)
    moved = bool(reported) and completion != reported  # nothing reported yet: nothing moved
    if submission.last_status == status and not moved:
        return 0
    document = status_document(session, request, submission, domain=processor_domain_of(session))
    urls = list(dict.fromkeys(submission.status_callback_urls or []))
    for url in urls:
        body = encode({**document, "status_callback_url": url})
        session.add(
            CallbackDelivery(
                submission_id=submission.id,
                url=url,
                request_status=status,
                body=body,
                status=CallbackStatus.PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    data: dict[str, Any] = {"from": submission.last_status, "to": status, "callbacks": len(urls)}
    if moved:
        data["expected_completion_time"] = completion
    audit.record(
        session,
        "api.status_changed" if submission.last_status != status else "api.completion_moved",
        actor=SYSTEM,
        now=now,
        request_id=request.id,
        object_type="opendsr_submission",
        object_id=submission.id,
        data=data,
    )
    submission.last_status = status
    submission.last_expected_completion = completion
    return len(urls)


def claim_due(session: Session, *, now: datetime, limit: int = 20) -> Sequence[CallbackDelivery]:
    """Claim up to ``limit`` due callbacks, oldest first (SKIP LOCKED on PostgreSQL); the
    lease moves ``next_attempt_at`` on, so a crashed worker's callback comes back."""
    stmt = (
        select(CallbackDelivery)
        .where(
            CallbackDelivery.status == CallbackStatus.PENDING,
            CallbackDelivery.next_attempt_at <= now,
        )
        .order_by(CallbackDelivery.created_at, CallbackDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(stmt).scalars().all()
    for row in rows:
        row.next_attempt_at = now + CLAIM_LEASE
    session.flush()
    return rows


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _audit(session: Session, row: CallbackDelivery, action: str, now: datetime) -> None:
    audit.record(
        session,
        action,
        actor=SYSTEM,
        now=now,
        object_type="opendsr_callback",
        object_id=row.id,
        data={"status": row.request_status, "attempts": row.attempts},
    )


def mark_sent(session: Session, row: CallbackDelivery, *, now: datetime) -> None:
    """The receiver answered 2xx (``InvalidTransition`` unless the row was pending)."""
    row.status = CALLBACK_STATUS.move(row.status, CallbackStatus.SENT)
    row.attempts += 1
    row.sent_at = now
    row.last_error = None
    _audit(session, row, "api.callback_sent", now)


def mark_failed(session: Session, row: CallbackDelivery, *, now: datetime, error: str) -> None:
    """Retry later with backoff, or give up after ``MAX_ATTEMPTS`` (dead)."""
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = CALLBACK_STATUS.move(row.status, CallbackStatus.DEAD)
        _audit(session, row, "api.callback_dead", now)
        return
    row.status = CALLBACK_STATUS.move(row.status, CallbackStatus.PENDING)
    row.next_attempt_at = now + backoff(row.attempts)


def mark_dead(session: Session, row: CallbackDelivery, *, now: datetime, reason: str) -> None:
    """Give up at once (the URL is no longer allowed): never posted."""
    row.status = CALLBACK_STATUS.move(row.status, CallbackStatus.DEAD)
    row.last_error = reason[:500]
    _audit(session, row, "api.callback_dead", now)
