"""One OpenDSR call at the edge (docs/api.md): the Bearer key, the use case, one commit, a
signed answer; every refusal the OpenDSR error body. Every call made with a valid key is
audited with the key as actor: the use case records what it did, a refused call is recorded
as ``api.call_refused`` with the call's name and status only (no personal data)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from operations import opendsr
from operations.context import Context
from portal.clock import now
from portal.context import context
from portal.db import get_session
from portal.machine.errors import invalid_body, json_error, machine_status
from portal.machine.signed import signed_json
from rights import audit
from rights.errors import DomainError, NotFound
from rights.models.api import ApiKey
from rights.opendsr.keys import api_actor, authenticate
from rights.opendsr.profile import FORMATS, IDENTITIES, TYPES
from rights.opendsr.texts import N_
from rights.opendsr.validation import RequestInvalid

__all__ = ["cancel", "create", "discovery", "guard_body", "rate_key", "refused", "status"]

DEFAULT_MAX_BODY = 64 * 1024


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """The rate limit counts per API key (its digest), or per address without one."""
    token = _bearer()
    if token:
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "ip:" + (request.remote_addr or "unknown")


def guard_body() -> ResponseReturnValue | None:
    """Before every other check under /opendsr/: a body over ``OPENDSR_MAX_BODY_BYTES`` is
    a JSON 413, whether it says its length or not."""
    if not request.path.startswith("/opendsr/"):
        return None
    limit = int(current_app.config.get("OPENDSR_MAX_BODY_BYTES") or DEFAULT_MAX_BODY)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return json_error(413)
    return None


def _unauthorised() -> Response:
    return json_error(401, headers={"WWW-Authenticate": 'Bearer realm="opendsr"'})


def refused(key: ApiKey, call: str, exc: DomainError) -> Response:
    """The refusal's answer, after ``api.call_refused`` is audited (the call's name and the
    status only) in a transaction of its own: whatever the call had begun is rolled back."""
    session = get_session()
    session.rollback()
    key.last_used_at = now()
    audit.record(
        session, "api.call_refused", actor=api_actor(key), now=now(),
        object_type="api_key", object_id=key.id,
        data={"call": call, "status": machine_status(exc)},
    )  # fmt: skip
    session.commit()
    if isinstance(exc, RequestInvalid):
        return invalid_body(exc)
    if isinstance(exc, NotFound):
        return json_error(404)
    return json_error(machine_status(exc))


def _run(call: str, use: Callable[[Context, ApiKey], Response]) -> Response:
    key = authenticate(get_session(), _bearer(), now=now())
    if key is None:
        return _unauthorised()
    ctx = context().acting_as(api_actor(key))
    try:
        response = use(ctx, key)
    except DomainError as exc:
        return refused(key, call, exc)
    get_session().commit()
    return response


def _over_limit_without_length(raw: bytes) -> bool:
    """Werkzeug's limited stream stops at the limit without a word when no length was sent
    (chunked): a body read up to the limit is too large when the server's stream holds more."""
    if request.content_length is not None or request.max_content_length is None:
        return False
    return len(raw) >= request.max_content_length and bool(request.environ["wsgi.input"].read(1))


def _has_nul(value: object) -> bool:
    """A NUL character in any text of ``value`` (keys included), not the six characters of
    the escape ``\\u0000`` that a text may hold."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _json_body() -> tuple[object, bytes]:
    raw = request.get_data(cache=True)  # over a stated length: RequestEntityTooLarge, a 413
    if _over_limit_without_length(raw):
        raise RequestEntityTooLarge()
    try:
        body = json.loads(raw.decode("utf-8"))
        # NUL and unpaired surrogates cannot be stored (PostgreSQL text, UTF-8): refused.
        if _has_nul(body):
            raise ValueError("NUL")
        json.dumps(body, ensure_ascii=False).encode("utf-8")
        return body, raw
    except (ValueError, RecursionError):
        raise RequestInvalid.one(
            "", "invalid", N_("the body must be JSON in UTF-8, without NUL characters")
        ) from None


def create(version: str) -> Response:
    def use(ctx: Context, key: ApiKey) -> Response:
        body, raw = _json_body()
        created = opendsr.submit(ctx, key, body, raw, version=version)
        if created.repeated:
            audit.record(
                ctx.session, "opendsr.submit_repeated", actor=ctx.actor, now=ctx.now(),
                object_type="api_key", object_id=key.id,
            )  # fmt: skip
        return signed_json(created.body, 201, version)

    return _run("create", use)


def status(version: str, subject_request_id: str) -> Response:
    def use(ctx: Context, key: ApiKey) -> Response:
        return signed_json(opendsr.status(ctx, key, subject_request_id), 200, version)

    return _run("status", use)


def cancel(version: str, subject_request_id: str) -> Response:
    def use(ctx: Context, key: ApiKey) -> Response:
        return signed_json(opendsr.cancel(ctx, key, subject_request_id), 202, version)

    return _run("cancel", use)


def discovery(version: str) -> dict[str, Any]:
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return {
        "api_version": version,
        "supported_identities": [
            {"identity_type": kind, "identity_format": form}
            for kind in IDENTITIES
            for form in FORMATS
        ],
        "supported_subject_request_types": list(TYPES),
        "processor_certificate": f"{base}/opendsr/v2/certificate.pem",
    }
