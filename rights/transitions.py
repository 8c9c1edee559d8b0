"""States as data: a transition table per kind of thing (package, action, task, outbox mail,
request), and one check that every state change goes through.

An invalid transition raises ``InvalidTransition`` (mapped to 409 at the edge). The request
lifecycle (``rights.lifecycle``) has its own richer ``transition``; the smaller machines use
``TransitionTable.move`` and write their audit event next to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from rights.errors import InvalidTransition

StateT = TypeVar("StateT", bound=Enum)


@dataclass(frozen=True)
class TransitionTable(Generic[StateT]):
    """``allowed[state]`` is the set of states reachable from ``state`` in one step."""

    name: str
    allowed: Mapping[StateT, frozenset[StateT]]

    def can(self, current: StateT, target: StateT) -> bool:
        return target in self.allowed.get(current, frozenset())

    def check(self, current: StateT, target: StateT) -> None:
        """Raise ``InvalidTransition`` unless ``current -> target`` is in the table."""
        if not self.can(current, target):
            raise InvalidTransition(
                f"{self.name}: cannot go from {current.value} to {target.value}",
                current=str(current.value),
                target=str(target.value),
            )

    def move(self, current: StateT, target: StateT) -> StateT:
        """Check and return ``target`` (``thing.status = table.move(thing.status, new)``)."""
        self.check(current, target)
        return target

    def final(self, state: StateT) -> bool:
        return not self.allowed.get(state)
