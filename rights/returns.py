"""Return of data (Art. 28(3)(g) GDPR): at the end of a contract, or when the controller
asks, the processor hands back all personal data it holds for that controller.

:func:`return_sources` lists what belongs to one controller organisation: every data
source it owns, with

- for a **data-file** source: one category per uploaded file, with all its records (restricted
  ones included and marked: they are the controller's data too), read from the database in
  batches;
- for an **SQL** source: one category per mapped table, with the mapped columns of every row
  of that table, streamed from the source database in primary-key order (the source itself
  belongs to the controller, so every row of a mapped table is the controller's);
- a **manual** source has no connector, and an inactive SQL source is not connected: both
  are listed in ``not_covered`` so the answer can say that a person must return them.

Records are zero-argument callables returning a fresh iterator (the exporters call them once
per format), so memory stays constant however large the data are. Values are text (or
``None``); the exporters escape them. Nothing here knows about ZIPs or Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session

from rights.crypto import Key
from rights.models.org import Organisation
from rights.models.source import DataFileUpload, DataRecord, DataSource, SourceKind
from rights.sources.registry import source_url, table_specs
from rights.sources.sqlsource import SqlSource

BATCH = 2000
RESTRICTED_FIELD = "_restricted"

Records = Callable[[], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class ReturnCategory:
    """One uploaded file or one mapped table: its columns and a fresh record stream."""

    key: str
    label: str
    fields: tuple[str, ...]
    records: Records
    count: int | None = None  # known for data files; None for SQL tables (not counted)


@dataclass(frozen=True)
class ReturnSource:
    slug: str
    name: str
    kind: SourceKind
    purposes: tuple[str, ...]
    legal_basis: tuple[str, ...]
    retention: str
    recipients: tuple[dict[str, str], ...]
    categories_info: tuple[str, ...]
    source_of_data: str
    categories: tuple[ReturnCategory, ...] = ()
    # The definition's labels of columns, categories and tables (rights.sources.labels).
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReturnContents:
    organisation: Organisation
    sources: tuple[ReturnSource, ...]
    not_covered: tuple[str, ...] = field(default=())  # slugs: manual, inactive SQL

    def summary(self) -> dict[str, Any]:
        """Counts only (no personal data): for the package row and the audit trail."""
        return {
            "sources": len(self.sources),
            "categories": sum(len(s.categories) for s in self.sources),
            "file_records": sum(
                c.count or 0 for s in self.sources for c in s.categories if c.count is not None
            ),
            "not_covered": list(self.not_covered),
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _file_records(session: Session, upload_id: int, columns: Sequence[str]) -> Records:
    def records() -> Iterator[dict[str, Any]]:
        stmt = (
            select(DataRecord.values, DataRecord.restricted)
            .where(DataRecord.file_id == upload_id)
            .order_by(DataRecord.row_number)
            .execution_options(yield_per=BATCH)
        )
        for values, restricted in session.execute(stmt):
            row: dict[str, Any] = {c: _text(values.get(c)) for c in columns}
            row[RESTRICTED_FIELD] = "1" if restricted else "0"
            yield row

    return records


def _file_categories(session: Session, source: DataSource) -> list[ReturnCategory]:
    uploads = session.scalars(
        select(DataFileUpload)
        .where(DataFileUpload.source_id == source.id)
        .order_by(DataFileUpload.uploaded_at, DataFileUpload.id)
    ).all()
    result = []
    for upload in uploads:
        columns = tuple(dict.fromkeys(upload.columns))
        result.append(
            ReturnCategory(
                key=f"file-{upload.id}",
                label=upload.filename,
                fields=(*columns, RESTRICTED_FIELD),
                records=_file_records(session, upload.id, columns),
                count=upload.row_count,
            )
        )
    return result


def _table_records(db: SqlSource, table_name: str, columns: Sequence[str], pk: str) -> Records:
    def records() -> Iterator[dict[str, Any]]:
        table = db.check()[table_name]
        stmt = sa_select(*(table.c[c] for c in columns)).order_by(table.c[pk])
        with db._connect(write=False) as conn:  # errors become SourceError
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
            for mapping in result.mappings():
                yield {c: _text(mapping[c]) for c in columns}

    return records


def _sql_categories(source: DataSource, key: Key, opened: list[SqlSource]) -> list[ReturnCategory]:
    specs = table_specs(source)
    db = SqlSource(source_url(source, key=key), specs, slug=source.slug)
    opened.append(db)
    db.check()  # a missing table or column fails now, before anything is built
    result = []
    for spec in specs:
        columns = sorted(spec.all_columns() - {spec.primary_key})
        ordered = (spec.primary_key, *columns)
        result.append(
            ReturnCategory(
                key=f"table-{spec.name}",
                label=spec.name,
                fields=ordered,
                records=_table_records(db, spec.name, ordered, spec.primary_key),
            )
        )
    return result


def return_sources(
    session: Session, organisation: Organisation, *, key: Key, opened: list[SqlSource]
) -> ReturnContents:
    """Everything to return to ``organisation``: its sources, sorted by slug. Data files
    are returned even when their source was switched off (the records are still held); an
    inactive SQL source is not connected and is listed in ``not_covered`` with the manual ones.

    SQL sources are connected and checked now (``SourceError`` if one is unreachable or
    its mapping no longer fits); their connection pools are appended to ``opened`` so the
    caller can dispose of them after the package was written."""
    sources = session.scalars(
        select(DataSource)
        .where(DataSource.organisation_id == organisation.id)
        .order_by(DataSource.slug)
    ).all()
    result: list[ReturnSource] = []
    not_covered: list[str] = []
    names = [s.name for s in sources]
    for source in sources:
        if source.kind is SourceKind.FILE:
            categories = _file_categories(session, source)
        elif source.kind is SourceKind.SQL and source.active:
            categories = _sql_categories(source, key, opened)
        else:
            not_covered.append(source.slug)
            continue
        result.append(
            ReturnSource(
                slug=source.slug,
                # Two sources may share a name; the package needs distinct ones.
                name=source.name
                if names.count(source.name) == 1
                else f"{source.name} ({source.slug})",
                kind=source.kind,
                purposes=tuple(source.purposes),
                legal_basis=tuple(source.legal_basis),
                retention=source.retention,
                recipients=tuple(dict(r) for r in source.recipients),
                categories_info=tuple(source.categories),
                source_of_data=source.source_of_data,
                categories=tuple(categories),
                labels=dict((source.mapping or {}).get("labels") or {}),
            )
        )
    return ReturnContents(organisation, tuple(result), tuple(not_covered))
