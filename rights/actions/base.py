"""What an action handler is, and what it is given.

One :class:`ActionHandler` per :class:`~rights.models.source.ActionKind`, registered in
:data:`rights.actions.registry.HANDLERS`. ``plan`` is the dry run (nothing changes);
``apply`` carries out a stored plan and is only called after :func:`rights.actions.gate.
authorise_apply` allowed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.identifiers import derive_hash_key
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SubjectMatch
from rights.sources.adapters import SourceAdapter, adapter_for
from rights.sources.adapters.base import Before
from rights.sources.matching import confirmed_matches
from rights.sources.plans import Plan

__all__ = ["ActionEnv", "ActionHandler", "Applied"]


@dataclass(frozen=True)
class ActionEnv:
    """The request, the source and the parameters an action works with, and who acts when."""

    session: Session
    request: RightsRequest
    source: DataSource | None
    params: Mapping[str, Any]
    actor: Actor
    now: datetime
    key: bytes  # the portal's encryption key (source URLs; identifier hashes derive from it)
    language: str = "nl"

    def hash_key(self) -> bytes:
        return derive_hash_key(self.key)

    def require_source(self) -> DataSource:
        if self.source is None:
            raise ValidationFailed("Choose a source.", code="no_source")
        return self.source

    def adapter(self) -> SourceAdapter:
        return adapter_for(self.require_source())

    def matches(self, *, required: bool = False) -> list[SubjectMatch]:
        """The confirmed matches in the source; ``required``: refuse when there are none."""
        matches = confirmed_matches(self.session, self.request, self.require_source())
        if required and not matches:
            raise ValidationFailed("No confirmed matches in this source.", code="no_matches")
        return matches


@dataclass(frozen=True)
class Applied:
    """What ``apply`` did: the action's result, and the values before for the audit."""

    result: dict[str, Any]
    before: Before = field(default_factory=dict)


class ActionHandler(Protocol):
    def plan(self, env: ActionEnv) -> Plan:
        """The dry run: the operations ``apply`` would carry out now. Changes nothing."""
        ...

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        """Carry out ``previewed``; raises ``changed_since_preview`` (nothing changed) when
        the data no longer give the same plan."""
        ...
