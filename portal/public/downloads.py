"""Downloads shown on the status page. The package downloads are another issue: until they
land, a request has none."""

from __future__ import annotations

from typing import Any

from rights.models.request import RightsRequest


def for_status(request: RightsRequest) -> list[Any]:
    """Download entries for the status page (each with ``name`` and ``url``)."""
    return []
