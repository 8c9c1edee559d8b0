"""The sources blueprint (source registry and a request's data pages attach to it) and the
way its pages report a refusal: a translated flash message, nothing stored."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, flash
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import get_session
from portal.sources import labels
from portal.sources.messages import error_message
from rights.audit import Actor
from rights.errors import DomainError

bp = Blueprint("sources", __name__, url_prefix="/staff")
# The words for the sources' codes on every page of this blueprint (portal/sources/labels.py).
bp.context_processor(lambda: {"source_words": labels})


def actor() -> Actor:
    return Actor.user(int(current_user.id))


def fail(exc: DomainError) -> None:
    """Undo the request's changes and say why (the page is shown again)."""
    get_session().rollback()
    flash(error_message(exc), "error")


def flash_source_errors(errors: Iterable[tuple[str, str]], *, others_searched: bool) -> None:
    """One message per source that could not be read (slug, error code)."""
    suffix = " " + _("Other sources were searched.") if others_searched else ""
    for slug, code in errors:
        flash(error_message(DomainError(code=code, source=slug)) + suffix, "error")
