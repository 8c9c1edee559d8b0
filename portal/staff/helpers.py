"""Small helpers shared by the workspace views."""

from __future__ import annotations

import re

from flask import abort
from flask_login import current_user

from portal.context import context
from portal.db import get_session
from rights.audit import Actor
from rights.models.request import RightsRequest
from rights.policy import Policy

REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


def actor() -> Actor:
    return Actor.user(int(current_user.id))


def policy() -> Policy:
    return context().policy


def search_key() -> bytes:
    """Key for the audited search hash (the Context picks it; never stored)."""
    return context().search_audit_key()


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
