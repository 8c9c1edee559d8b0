"""Small helpers shared by the workspace views."""

from __future__ import annotations

import hashlib
import re

from flask import abort, current_app
from flask_login import current_user

from portal.db import get_session
from rights.audit import Actor
from rights.models.request import RightsRequest
from rights.policy import Policy

REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


def actor() -> Actor:
    return Actor.user(int(current_user.id))


def policy() -> Policy:
    from portal.cli import policy_from

    return policy_from(current_app)


def search_key() -> bytes:
    """Key for the audited search hash, derived from the app secret (never stored)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hashlib.sha256(b"dsr-portal/search-audit\x00" + secret).digest()


def load_case(reference: str) -> RightsRequest:
    if not REFERENCE.fullmatch(reference):
        abort(404)
    request = get_session().query(RightsRequest).filter_by(reference=reference.upper()).first()
    if request is None:
        abort(404)
    return request


def check_version(request: RightsRequest, submitted: str | None) -> None:
    """The hidden version field of every case form: a stale form gets the 409 page."""
    from sqlalchemy.orm.exc import StaleDataError

    if parse_id(submitted) != request.version:
        raise StaleDataError("stale form")


def parse_id(raw: str | None) -> int | None:
    """A positive database id from a form field, or None (never an overflow)."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None
