"""Refusals of the machine API as the OpenDSR error body (docs/api.md, "Errors"):
``{"error": {"code": <status>, "message": "...", "errors": [...]}}``, never an HTML page,
and with nothing that differs per response, so a 404 for another controller's id is
byte-identical to a 404 for an unknown one."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from rights.errors import DomainError, ValidationFailed

__all__ = ["MACHINE_PREFIXES", "is_machine_path", "json_error", "machine_status"]

MACHINE_PREFIXES = ("/opendsr/", "/api/")

_MESSAGES = {
    400: "The request is not valid.",
    401: "A valid API key is required.",
    403: "This key may not do this.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "A request with this subject_request_id and a different body exists.",
    413: "The request body is too large.",
    429: "Too many requests.",
    500: "Internal error.",
    503: "Temporarily unavailable. Try again later.",
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
    error: dict[str, Any] = {"code": status, "message": message or _MESSAGES.get(status, "")}
    if errors:
        error["errors"] = errors
    body = json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
