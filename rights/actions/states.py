"""The states of a source action as data: prepared (previewed) -> executed, or failed."""

from __future__ import annotations

from rights.models.source import ActionStatus
from rights.transitions import TransitionTable

__all__ = ["ACTION_STATES"]

ACTION_STATES: TransitionTable[ActionStatus] = TransitionTable(
    "source action",
    {
        ActionStatus.PREPARED: frozenset({ActionStatus.EXECUTED, ActionStatus.FAILED}),
        ActionStatus.EXECUTED: frozenset(),
        ActionStatus.FAILED: frozenset(),
    },
)
