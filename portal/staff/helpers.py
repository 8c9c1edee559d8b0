"""Small helpers shared by the workspace views."""

from __future__ import annotations

import re

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal.context import context, policy_from
from portal.db import get_session
from portal.loading import parse_id
from rights.audit import Actor
from rights.models.request import RightsRequest
from rights.policy import Policy

__all__ = ["actor", "attachment", "check_version", "load_case", "parse_id", "policy"]

REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


def actor() -> Actor:
    return Actor.user(int(current_user.id))


def policy() -> Policy:
    return policy_from(current_app)


def search_key() -> bytes:
    """Key for the audited search hash (the Context picks it; never stored)."""
    return context().search_audit_key()


# Built once: every case page and action loads its case, with its organisation (the case
# page names it and checks whether it is a controller; the split form's list of organisations
# is read as names only).
_BY_REFERENCE = (
    select(RightsRequest)
    .options(joinedload(RightsRequest.organisation))
    .where(RightsRequest.reference == bindparam("ref"))
)


def load_case(reference: str) -> RightsRequest:
    """The request with this reference (any case), or 404."""
    if not REFERENCE.fullmatch(reference):
        abort(404)
    found = get_session().scalar(_BY_REFERENCE, {"ref": reference.upper()})
    if found is None:
        abort(404)
    return found


def check_version(request: RightsRequest, submitted: str | None) -> None:
    """The hidden version field of every case form: a stale form gets the 409 page."""
    if parse_id(submitted) != request.version:
        raise StaleDataError("stale form")


def attachment(data: bytes, content_type: str | None, filename: str) -> Response:
    """A stored file as a download, never rendered inline, never cached."""
    response = Response(data, mimetype=content_type or "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
