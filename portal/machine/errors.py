"""Refusals of the machine API as the OpenDSR error body (docs/api.md, "Errors"):
``{"error": {"code": <status>, "message": "...", "errors": [...]}}``, never an HTML page,
and with nothing that differs per response, so a 404 for another controller's id is
byte-identical to a 404 for an unknown one (in the same language). The messages are for
people and follow ``Accept-Language`` (English unless Dutch is asked for; ``portal.i18n``);
``code``, ``reason`` and ``field`` are the machine's and never change with the language."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rights.errors import DomainError, ValidationFailed
from rights.opendsr.texts import Text
from rights.opendsr.validation import RequestInvalid

__all__ = [
    "MACHINE_PREFIXES",
    "invalid_body",
    "is_machine_path",
    "json_error",
    "machine_status",
    "validation_items",
]

MACHINE_PREFIXES = ("/opendsr/", "/api/")

_MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("A valid API key is required."),
    403: _l("This key may not do this."),
    404: _l("Not found."),
    405: _l("Method not allowed."),
    409: _l("A request with this subject_request_id and a different body exists."),
    413: _l("The request body is too large."),
    429: _l("Too many requests."),
    500: _l("Internal error."),
    503: _l("Temporarily unavailable. Try again later."),
}


def is_machine_path(path: str | None = None) -> bool:
    return (path if path is not None else request.path).startswith(MACHINE_PREFIXES)


def machine_status(exc: DomainError) -> int:
    """The status of a domain refusal on the machine API: validation is 400, never 422."""
    return 400 if isinstance(exc, ValidationFailed) else exc.http_status


def json_error(
    status: int,
    message: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error body for ``status``. ``errors`` items follow the spec's example:
    ``{"domain": "Validation", "reason": "...", "message": "..."}``."""
    error: dict[str, Any] = {"code": status, "message": message or str(_MESSAGES.get(status, ""))}
    if errors:
        error["errors"] = errors
    body = json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Content-Language"] = str(get_locale() or "en")
    response.headers["Vary"] = "Accept-Language"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_items(items: list[dict[str, str]], texts: list[Text]) -> list[dict[str, str]]:
    """The domain's problem items with each ``message`` in the caller's language (the
    English template through the catalogue, then its values)."""
    return [
        {**item, "message": _(text.template, **text.values)}
        for item, text in zip(items, texts, strict=True)
    ]


def invalid_body(exc: RequestInvalid) -> Response:
    """The refusal of a body the domain read (400, or the status of the subclass): each
    problem with its ``field`` and ``reason``, the first problem's message as the error's."""
    items = validation_items(exc.errors, exc.texts)
    return json_error(exc.http_status, items[0]["message"] if items else None, items)
