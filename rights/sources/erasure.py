"""What the erasures of a request did, for the answer letter (docs/legal.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, SourceAction

__all__ = ["ErasureSummary", "erasure_summary"]


@dataclass(frozen=True)
class ErasureSummary:
    """For the answer letter (docs/legal.md, "Complaint text (Art. 12(4))"): what was erased, what
    was kept and why."""

    erased: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]
    backups: tuple[dict[str, str], ...]
    # The definition's labels per source name, so the letter names tables and columns in
    # words (rights.sources.labels).
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)


def erasure_summary(session: Session, request: RightsRequest) -> ErasureSummary:
    """Rows erased per source and table (``how``: ``deleted`` or ``anonymised``), what
    retention holds kept, and the backup rotation after which the erased data are gone from
    backups too."""
    erased, kept, backups = [], [], []
    labels: dict[str, dict[str, Any]] = {}
    actions = session.scalars(
        select(SourceAction)
        .where(
            SourceAction.request_id == request.id,
            SourceAction.kind == ActionKind.ERASE,
            SourceAction.status == ActionStatus.EXECUTED,
        )
        .order_by(SourceAction.id)
    )
    for action in actions:
        name = action.source.name if action.source else ""
        labels[name] = dict(
            ((action.source.mapping or {}) if action.source else {}).get("labels") or {}
        )
        counts: dict[tuple[str, str], int] = {}
        for op in action.result.get("executed", []):
            if not op.get("kept"):
                how = "deleted" if op.get("op") == "delete" else "anonymised"
                counts[op["table"], how] = counts.get((op["table"], how), 0) + 1
        for (table, how), rows in sorted(counts.items()):
            erased.append({"source": name, "table": table, "rows": rows, "how": how})
        for item in action.result.get("kept", []):
            kept.append({"source": name, **item})
        if action.result.get("backup_rotation"):
            backups.append({"source": name, "rotation": action.result["backup_rotation"]})
    return ErasureSummary(tuple(erased), tuple(kept), tuple(backups), labels)
