"""The plan of an action: the operations a dry run computed, without personal values.

An operation is a small JSON object: ``{"op": "delete"|"update", "table", "pk", "set"}`` on
a source, ``{"op": "read", ...}`` for an export, ``{"op": "suppress", ...}`` and
``{"op": "notify", ...}`` for the portal's own lists. Plans are stored on the action and
compared when it is executed (:func:`rights.actions.preview.ensure_as_previewed`).
"""

from __future__ import annotations

from typing import Any

from rights.errors import SourceError

__all__ = ["Op", "Plan", "changed_since_preview"]

Op = dict[str, Any]
Plan = list[Op]


def changed_since_preview(**params: Any) -> SourceError:
    """The error for data that no longer give the previewed plan (nothing was changed)."""
    return SourceError(
        "The data changed since the preview; preview again.",
        code="changed_since_preview",
        **params,
    )
