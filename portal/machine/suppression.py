"""``POST /api/v1/suppression/check`` (docs/api.md, "Suppression check"): a controller's
mailing pipeline asks, with its API key, which of up to 10,000 e-mail addresses and phone
numbers are suppressed or restricted. JSON in, JSON out, refusals in the error body, each
problem naming its field (``rights.opendsr.suppression_body``); no CSRF (no cookie opens
it); rate-limited per key (``PORTAL_OPENDSR_RATE_LIMIT``)."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, request

from operations.suppression_check import check_identities
from portal.clock import now
from portal.context import context
from portal.db import get_session
from portal.machine.calls import refused
from portal.machine.errors import json_error
from portal.security import csrf, limiter
from rights.models.api import ApiKey
from rights.opendsr.keys import authenticate
from rights.opendsr.suppression_body import read_identities
from rights.opendsr.suppression_check import Identity
from rights.opendsr.texts import N_
from rights.opendsr.validation import RequestInvalid

bp = Blueprint("suppression_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def bearer() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """The limiter's key: a digest of the key presented (the key itself is not kept)."""
    return "api-key:" + hashlib.sha256(bearer().encode()).hexdigest()[:32]


def rate_limit() -> str:
    return str(current_app.config.get("OPENDSR_RATE_LIMIT") or "600 per minute")


def parse(raw: bytes) -> list[Identity]:
    """The identities of the body (``RequestInvalid`` naming each problem's field, the body
    itself when it is not JSON; ``TooManyIdentities``)."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RequestInvalid.one("", "invalid", N_("the body must be JSON in UTF-8")) from None
    return read_identities(payload)


def _answer(key: ApiKey, identities: list[Identity]) -> Response:
    results = check_identities(context(), key, identities)
    get_session().commit()
    body = {
        "results": [
            {
                "identity_type": r.identity.identity_type,
                "identity_value": r.identity.identity_value,
                "suppressed": r.suppressed,
                "restricted": r.restricted,
            }
            for r in results
        ]
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=200, mimetype="application/json")


@bp.post("/suppression/check")
@limiter.limit(rate_limit, key_func=rate_key)
def check() -> Response:
    key = authenticate(get_session(), bearer(), now=now())
    if key is None:
        return json_error(401, headers={"WWW-Authenticate": "Bearer"})
    try:
        identities = parse(request.get_data(cache=False))
    except RequestInvalid as exc:  # 400, or 413 for too many identities; audited
        return refused(key, "suppression.check", exc)
    return _answer(key, identities)
