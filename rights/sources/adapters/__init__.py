"""The source adapters, one per kind of source, in one literal registry."""

from __future__ import annotations

from rights.models.source import DataSource, SourceKind
from rights.sources.adapters.base import CategoryCopy, Found, Hit, SourceAdapter, SourceView
from rights.sources.adapters.file import FileAdapter
from rights.sources.adapters.manual import ManualAdapter
from rights.sources.adapters.sql import SqlAdapter

__all__ = [
    "ADAPTERS",
    "CategoryCopy",
    "Found",
    "Hit",
    "SourceAdapter",
    "SourceView",
    "adapter_for",
]

ADAPTERS: dict[SourceKind, SourceAdapter] = {
    SourceKind.FILE: FileAdapter(),
    SourceKind.SQL: SqlAdapter(),
    SourceKind.MANUAL: ManualAdapter(),
}


def adapter_for(source: DataSource) -> SourceAdapter:
    """The adapter of the source's kind (tests may swap an entry of :data:`ADAPTERS`)."""
    return ADAPTERS[source.kind]
