"""What the portal needs from a kind of data source, behind one interface.

One adapter per :class:`~rights.models.source.SourceKind` (file, SQL, manual), registered in
:data:`rights.sources.adapters.ADAPTERS`. Discovery, the match page, the copy for an access
answer and every action go through it, so no caller asks which kind a source is.

A changing action opens a :class:`SourceView` of the subject's confirmed data, asks it for
the operations of the change (``erase``, ``restrict``, ``rectify``) and, when executing,
writes them one by one inside the view's transaction: any error rolls every write back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SubjectMatch
from rights.sources.plans import Op, Plan
from rights.sources.subject import SubjectKeys

__all__ = ["Before", "CategoryCopy", "Found", "Hit", "SourceAdapter", "SourceView"]

# The values of each changed row before the change, by (table, repr(pk)), for the audit.
Before = dict[tuple[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Hit:
    """Where discovery found the subject: a locator to store on the match, and how."""

    locator: dict[str, Any]
    locator_key: str
    how: str


@dataclass
class Found:
    hits: list[Hit] = field(default_factory=list)
    tasks: int = 0  # search tasks created for a person (a manual source)


@dataclass(frozen=True)
class CategoryCopy:
    key: str
    label: str
    fields: tuple[str, ...]
    records: tuple[dict[str, Any], ...]
    # What the definition records for the category (docs/legal.md, "Portability").
    legal_basis: str | None = None
    provenance: str | None = None


class SourceView(Protocol):
    """The subject's confirmed data in one source as they are now (inside the transaction
    of an execution). The change methods only compute operations; ``write`` changes."""

    def erase(self) -> Plan:
        """Art. 17: delete or anonymise, keeping what a retention hold keeps."""
        ...

    def restrict(self, on: bool) -> Plan:
        """Art. 18: mark (``on``) or unmark the data as restricted."""
        ...

    def rectify(self, params: Mapping[str, Any]) -> Plan:
        """Art. 16: set ``params["column"]`` (of ``params["table"]``) to ``params["value"]``."""
        ...

    def write_order(self, plan: Plan) -> Plan:
        """The order in which the source can take the operations."""
        ...

    def write(self, op: Op) -> None:
        """Apply one operation; raises ``changed_since_preview`` when its row is gone."""
        ...

    def before(self) -> Before: ...


class SourceAdapter(Protocol):
    def discover(
        self,
        session: Session,
        request: RightsRequest,
        source: DataSource,
        keys: SubjectKeys,
        *,
        key: SourceKeys | bytes,
        now: datetime,
    ) -> Found:
        """Look the subject up (or hand the search to a person); raises SourceError."""
        ...

    def values(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
    ) -> dict[int, dict[str, Any]]:
        """The values of each match's record or row, by match id, to judge the match."""
        ...

    def categories(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
    ) -> list[CategoryCopy]:
        """The copy of the matched data, per category (Art. 15(3))."""
        ...

    def open(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
        write: bool,
    ) -> AbstractContextManager[SourceView]:
        """A view of the matched data; with ``write`` one transaction, rolled back on error."""
        ...

    def held(self, source: DataSource, plan: Plan) -> list[dict[str, Any]]:
        """What an erasure kept under a retention hold, per table (docs/legal.md)."""
        ...
