"""Error pages and the one place where domain errors become HTTP status codes."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from exporters.errors import ExportInvalid
from portal.machine.errors import is_machine_path, json_error, machine_status
from rights.errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The form could not be processed. Go back, reload the page and try again."),
    ),
    403: (_l("No access"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    409: (
        _l("Changed in the meantime"),
        _l(
            "Someone else changed this, or this step is not possible in the current state. "
            "Reload the page and check before trying again."
        ),
    ),
    410: (
        _l("No longer available"),
        _l("This link has expired, was already used or was withdrawn."),
    ),
    413: (_l("File too large"), _l("The file is larger than allowed. Choose a smaller file.")),
    422: (_l("Check your input"), _l("Some of the information given is not valid.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "An unexpected error occurred. If you were sending a form, it may not have been "
            "stored: go back and send it again (the same form is never filed twice)."
        ),
    ),
    502: (_l("A connected system did not answer"), _l("Please try again later.")),
    503: (
        _l("Busy for a moment"),
        _l(
            "The portal could not reach its database just now. Please try again in a few "
            "seconds. If you were sending a form, it was probably not stored; sending the "
            "same form again does not file it twice."
        ),
    ),
}


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    try:
        html = render_template(
            "errors/error.html", status=status, title=title, message=message, detail=detail
        )
    except Exception:
        html = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
    return html, status


def _http(exc: HTTPException) -> ResponseReturnValue | HTTPException:
    if exc.code is None or exc.code < 400:
        return exc
    if is_machine_path():
        retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
        return json_error(exc.code, headers={"Retry-After": retry} if retry else None)
    retry_after = getattr(exc, "retry_after", None)  # a 429 of portal.public.blueprint.on_post
    if retry_after is not None:
        html, status = render_error(exc.code)
        return html, status, {"Retry-After": str(retry_after)}
    return render_error(exc.code)


def _respond(status: int) -> ResponseReturnValue:
    """The error page, or the JSON error body under the machine API's paths."""
    return json_error(status) if is_machine_path() else render_error(status)


def _domain(exc: DomainError | ExportInvalid) -> ResponseReturnValue:
    if is_machine_path() and isinstance(exc, DomainError):
        return json_error(machine_status(exc))
    return _respond(exc.http_status)


def _stale(exc: StaleDataError) -> ResponseReturnValue:
    return _respond(409)


def _csrf(exc: CSRFError) -> ResponseReturnValue:
    return _respond(400)


RETRY_AFTER_SECONDS = 5


def _database_unavailable(exc: OperationalError) -> ResponseReturnValue:
    """A lock that outlasted the busy timeout (SQLite) or a dropped connection: 503 with
    ``Retry-After``, never a bare 500 (docs/operations.md, "Database faults")."""
    log.warning("database unavailable: %s", type(exc.orig).__name__)
    if is_machine_path():
        return json_error(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    html, status = render_error(503)
    return html, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _unexpected(exc: Exception) -> ResponseReturnValue:
    # Log the type only: exception text can contain personal data (docs/security.md, "No personal
    # data in logs").
    log.error("unhandled %s", type(exc).__name__, exc_info=False)
    return _respond(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ExportInvalid, _domain)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(OperationalError, _database_unavailable)
    if not app.config.get("TESTING") or app.config.get("TEST_HANDLE_500"):
        app.register_error_handler(Exception, _unexpected)
