"""Where a request stands, in OpenDSR's words (docs/api.md, "Status"). OpenDSR knows four
values: pending, in_progress, completed, cancelled. A refusal is ``completed`` with the
outcome ``denied`` in the portal's extension (the spec has no denied state)."""

from __future__ import annotations

from datetime import UTC, datetime

from rights.models.request import Outcome, RequestState, RightsRequest

__all__ = ["STATUS", "expected_completion_time", "is_denied", "request_status", "rfc3339"]

STATUS: dict[RequestState, str] = {
    RequestState.AWAITING_VERIFICATION: "pending",
    RequestState.OPEN: "pending",
    RequestState.AWAITING_INFORMATION: "in_progress",
    RequestState.FORWARDED: "in_progress",
    RequestState.IN_PROGRESS: "in_progress",
    RequestState.AWAITING_APPROVAL: "in_progress",
    RequestState.ANSWERED: "completed",
    RequestState.CLOSED: "completed",
    RequestState.CLOSED_UNVERIFIED: "completed",
    RequestState.WITHDRAWN: "cancelled",
}


def request_status(request: RightsRequest) -> str:
    return STATUS[request.state]


def is_denied(request: RightsRequest) -> bool:
    """Completed without doing what was asked: refused, or closed unverified."""
    return request.state is RequestState.CLOSED_UNVERIFIED or (
        request_status(request) == "completed" and request.outcome is Outcome.REFUSED
    )


def expected_completion_time(request: RightsRequest) -> datetime:
    """The end of the due day (the extended one once extended), as an aware UTC time."""
    due_end = request.extended_due_end if request.extended else request.due_end
    return due_end.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-12-02T10:00:00Z``: UTC, whole seconds, as the spec's examples write it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
