"""``POST /api/v1/suppression/check`` (docs/api.md, "Suppression check"): a controller's
mailing pipeline asks, with its API key, which of up to 10,000 e-mail addresses and phone
numbers are suppressed or restricted. JSON in, JSON out, refusals in the error body; no
CSRF (no cookie opens it); rate-limited per key (``PORTAL_OPENDSR_RATE_LIMIT``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _

from operations.suppression_check import check_identities
from portal.clock import now
from portal.context import context
from portal.db import get_session
from portal.machine.errors import json_error
from portal.security import csrf, limiter
from rights.models.api import ApiKey
from rights.opendsr.keys import authenticate
from rights.opendsr.suppression_check import IDENTITY_TYPES, MAX_IDENTITIES, Identity

bp = Blueprint("suppression_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_VALUE_LENGTH = 320
MAX_REPORTED_ERRORS = 20
_TYPES = " or ".join(IDENTITY_TYPES)


class BadBody(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("bad body")
        self.errors = errors


def bearer() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def rate_key() -> str:
    """The limiter's key: a digest of the key presented (the key itself is not kept)."""
    return "api-key:" + hashlib.sha256(bearer().encode()).hexdigest()[:32]


def rate_limit() -> str:
    return str(current_app.config.get("OPENDSR_RATE_LIMIT") or "600 per minute")


def _text(value: object) -> bool:
    """A text of 1 to ``MAX_VALUE_LENGTH`` characters that UTF-8 can carry (JSON lets an
    unpaired surrogate through, which the answer could not encode)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_VALUE_LENGTH:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _item(index: int, item: Any, errors: list[str]) -> Identity | None:
    where = f"identities[{index}]"
    if not isinstance(item, dict):
        errors.append(_("%(where)s must be an object", where=where))
        return None
    kind, value = item.get("identity_type"), item.get("identity_value")
    if not isinstance(kind, str) or kind not in IDENTITY_TYPES:
        errors.append(_("%(where)s.identity_type must be %(types)s", where=where, types=_TYPES))
    if not _text(value):
        errors.append(
            _(
                "%(where)s.identity_value must be a text of 1 to %(max)s characters",
                where=where,
                max=MAX_VALUE_LENGTH,
            )
        )
    if errors:
        return None
    return Identity(str(kind), str(value))


def parse(raw: bytes) -> list[Identity]:
    """The identities of the body (``BadBody`` with the errors; ``OverflowError`` for more
    than ``MAX_IDENTITIES``)."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadBody([_("the body must be JSON in UTF-8")]) from exc
    items = payload.get("identities") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise BadBody([_("identities must be a list")])
    if len(items) > MAX_IDENTITIES:
        raise OverflowError(len(items))
    errors: list[str] = []
    identities = [_item(i, item, errors) for i, item in enumerate(items)]
    if errors:
        raise BadBody(errors[:MAX_REPORTED_ERRORS])
    return [identity for identity in identities if identity is not None]


def _validation(errors: list[str]) -> Response:
    items = [
        {"domain": "Validation", "reason": "IllegalArgumentException", "message": m} for m in errors
    ]
    return json_error(400, errors=items)


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
    except BadBody as exc:
        return _validation(exc.errors)
    except OverflowError:
        return json_error(413, _("At most %(max)s identities per request.", max=MAX_IDENTITIES))
    return _answer(key, identities)
