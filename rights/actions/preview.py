"""The preview check: an action is carried out exactly as it was previewed, or not at all."""

from __future__ import annotations

import json
from typing import Any

from rights.sources.plans import Plan, changed_since_preview

__all__ = ["ensure_as_previewed"]


def _comparable(plan: Plan) -> list[str]:
    # Order-free and type-exact: the stored plan came back from JSON, the fresh one did not.
    return sorted(json.dumps(op, sort_keys=True, default=str) for op in plan)


def ensure_as_previewed(fresh: Plan, previewed: Plan, **params: Any) -> None:
    """Raise ``SourceError`` ``changed_since_preview`` unless the plan computed now equals
    the stored preview. Call it before the first write, inside the transaction that writes,
    so nothing is changed when the data moved since the preview."""
    if _comparable(fresh) != _comparable(previewed):
        raise changed_since_preview(**params)
