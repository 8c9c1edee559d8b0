"""One error hierarchy for the domain; the portal maps each class to an HTTP status in one place.

Every error carries a stable ``code`` (used for translation and by the machine API) and
optional ``params`` for the message. Messages never contain personal data.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class for errors the domain raises on purpose."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str = "", *, code: str | None = None, **params: Any) -> None:
        super().__init__(message or self.code)
        if code is not None:
            self.code = code
        self.params = params


class ValidationFailed(DomainError):
    """Input that does not satisfy a domain rule."""

    code = "validation_failed"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class InvalidTransition(DomainError):
    """A lifecycle transition that the transition table does not allow."""

    code = "invalid_transition"
    http_status = 409


class Conflict(DomainError):
    """A stale write (version mismatch) or a duplicate."""

    code = "conflict"
    http_status = 409


class Gone(DomainError):
    """Expired, revoked or already used tokens and downloads."""

    code = "gone"
    http_status = 410


class DeadlinePassed(DomainError):
    """An action the law allows only before a deadline (e.g. extension after due_end)."""

    code = "deadline_passed"
    http_status = 409


class DataFileError(ValidationFailed):
    """An uploaded data file that cannot be ingested; nothing of it is stored."""

    code = "data_file_error"


class SourceError(DomainError):
    """A data source that cannot be reached, times out, or whose mapping is wrong."""

    code = "source_error"
    http_status = 502
