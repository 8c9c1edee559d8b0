"""OpenDSR use cases (docs/api.md, "Endpoints"): submit, status and cancel for one
controller's API key. A submission is that controller's instruction: registered through the
staff path (``operations.intake.register``) with the controller's own receipt
(``submitted_time``) as the start of the clock, channel API, the identity vouched for by the
controller and the actions its type names instructed (``rights.controllers.instructions``).

Idempotent per controller: the same ``subject_request_id`` with a JSON-equal body gives the
stored response, with another body ``Conflict`` (409). Two parallel first submissions of
one id meet at the unique constraint: the loser's savepoint is rolled back and it answers
as a repeat."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from operations import forwarding
from operations.context import Context
from operations.intake import register
from rights import audit
from rights.controllers.instructions import check_actions, record_system_instruction
from rights.errors import Conflict, NotFound
from rights.models.api import ApiKey, OpenDsrSubmission
from rights.models.request import Channel, RightsRequest
from rights.opendsr import submissions
from rights.opendsr.allowlist import callback_url_allowed
from rights.opendsr.keys import api_actor
from rights.opendsr.signing import processor_domain
from rights.opendsr.status import expected_completion_time, rfc3339
from rights.opendsr.validation import Limits, Submission, parse_submission
from rights.requests import Intake, Requester

__all__ = ["Created", "cancel", "limits", "status", "submit"]


@dataclass(frozen=True)
class Created:
    body: dict[str, Any]
    repeated: bool  # an idempotent repeat: nothing new was stored


def limits(ctx: Context) -> Limits:
    extra = ctx.settings.extra
    return Limits(
        max_age_days=int(extra.get("OPENDSR_MAX_AGE_DAYS", 90)),
        max_identities=int(extra.get("OPENDSR_MAX_IDENTITIES", 10)),
    )


def domain(ctx: Context) -> str:
    return processor_domain(ctx.settings.base_url)


def _parse(ctx: Context, key: ApiKey, body: object, version: str) -> Submission:
    loopback = bool(ctx.settings.extra.get("OPENDSR_ALLOW_LOOPBACK_CALLBACKS", False))
    organisation = key.organisation
    return parse_submission(
        body,
        version=version,
        domain=domain(ctx),
        now=ctx.now(),
        limits=limits(ctx),
        callback_allowed=lambda url: callback_url_allowed(
            organisation, url, allow_loopback_http=loopback
        ),
    )


def _repeat(ctx: Context, key: ApiKey, sid: str, digest: str, raw: bytes) -> Created | None:
    try:
        existing = submissions.find(ctx.session, key.organisation_id, sid)
    except NotFound:  # a first submission
        return None
    if existing.body_digest != digest:
        raise Conflict("another body with this subject_request_id", code="opendsr_conflict")
    body = dict(existing.response)
    body["encoded_request"] = base64.b64encode(raw).decode("ascii")
    return Created(body, repeated=True)


def _store(ctx: Context, key: ApiKey, parsed: Submission, digest: str) -> OpenDsrSubmission:
    """Register the request and its submission (flushes). The submission row goes first,
    so a parallel duplicate fails before any work."""
    now, actor = ctx.now(), api_actor(key)
    submission = OpenDsrSubmission(
        organisation_id=key.organisation_id,
        api_key_id=key.id,
        subject_request_id=parsed.subject_request_id,
        api_version=parsed.api_version,
        subject_request_type=parsed.type.name,
        body_digest=digest,
        submitted_at=parsed.submitted_at,
        received_at=now,
        status_callback_urls=list(parsed.callback_urls),
        response={},
        last_status="pending",
    )
    ctx.session.add(submission)
    ctx.session.flush()
    intake = Intake(
        right=parsed.type.right,
        details=parsed.details,
        requester=Requester(**{"name": "", "email": "", **parsed.identities}),
        received_at=parsed.submitted_at,
        channel=Channel.API,
        language=parsed.language,
        organisation_id=key.organisation_id,
        extra={"controller_instruction": True},
    )
    request = register(ctx.acting_as(actor), intake, route=False)
    actions = check_actions(parsed.type.right, [k.value for k in parsed.type.actions])
    record_system_instruction(ctx.session, request, actions, actor=actor, now=now)
    submission.request_id = request.id
    ctx.session.flush()
    forwarding.after_verification(ctx, [request])  # linked: the instruction is the approval
    audit.record(
        ctx.session, "opendsr.submitted", actor=actor, now=now, request_id=request.id,
        object_type="opendsr_submission", object_id=submission.id,
        data={"type": parsed.type.name, "api_version": parsed.api_version},
    )  # fmt: skip
    return submission


def _response(key: ApiKey, submission: OpenDsrSubmission, ctx: Context) -> dict[str, Any]:
    request = ctx.session.get(RightsRequest, submission.request_id)
    assert request is not None  # just registered
    return {
        "api_version": submission.api_version,
        "controller_id": key.organisation.slug,
        "expected_completion_time": rfc3339(expected_completion_time(request)),
        "received_time": rfc3339(submission.received_at),
        "subject_request_id": submission.subject_request_id,
    }


def submit(ctx: Context, key: ApiKey, body: object, raw: bytes, *, version: str) -> Created:
    """Create the request ``body`` describes, or answer a repeat (flushes; the caller
    commits). ``RequestInvalid`` (400) lists every problem; ``Conflict`` (409) for the
    same id with another body."""
    parsed = _parse(ctx, key, body, version)
    digest = submissions.body_digest(body)
    repeat = _repeat(ctx, key, parsed.subject_request_id, digest, raw)
    if repeat is not None:
        return repeat
    try:
        with ctx.session.begin_nested():
            submission = _store(ctx, key, parsed, digest)
    except IntegrityError:
        repeat = _repeat(ctx, key, parsed.subject_request_id, digest, raw)
        if repeat is None:
            raise
        return repeat
    submission.response = _response(key, submission, ctx)
    ctx.session.flush()
    body_out = dict(submission.response)
    body_out["encoded_request"] = base64.b64encode(raw).decode("ascii")
    return Created(body_out, repeated=False)


def status(ctx: Context, key: ApiKey, subject_request_id: str) -> dict[str, Any]:
    """The status body of the key's controller's request (``NotFound`` otherwise)."""
    submission = submissions.find(ctx.session, key.organisation_id, subject_request_id)
    audit.record(
        ctx.session, "opendsr.status_read", actor=api_actor(key), now=ctx.now(),
        request_id=submission.request_id, object_type="opendsr_submission",
        object_id=submission.id,
    )  # fmt: skip
    return submissions.status_body(ctx.session, submission, key.organisation.slug, domain(ctx))


def cancel(ctx: Context, key: ApiKey, subject_request_id: str) -> dict[str, Any]:
    """Cancel the key's controller's pending request (flushes; ``NotFound``, or
    ``RequestInvalid`` once it is no longer pending)."""
    submission = submissions.find(ctx.session, key.organisation_id, subject_request_id)
    submissions.cancel(ctx.session, submission, actor=api_actor(key), now=ctx.now())
    return submissions.cancel_body(submission, key.organisation.slug)
