"""Uploaded data files: streamed into indexed records, purged after their retention date.

The rows are inserted in batches inside a savepoint, so a bad row halfway through the file
rolls back every row before it: nothing is half-imported, whatever the caller does next.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from operator import add
from typing import BinaryIO, TypeVar

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from rights.audit import SYSTEM, Actor, record
from rights.controllers.contract import check_contract_running
from rights.controllers.datafiles import DeletionReason, delete_data_file
from rights.errors import ValidationFailed
from rights.models.source import DataFileUpload, DataRecord, DataSource, SourceKind
from rights.sources.datafile import DataFile, FileLimits
from rights.sources.filereader import DEFAULT_LIMITS, open_data_file
from rights.sources.normalise import row_identifiers


def sa_table(model: type[DataRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


__all__ = ["BATCH", "ingest_data_file", "processing_rows", "purge_expired_files"]

BATCH = 5_000
_T = TypeVar("_T")


def _batches(rows: Iterator[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# The columns of data_record an ingest writes, in this order (rights.models.source).
_COLUMNS = (
    "file_id", "row_number", "values", "email", "phone", "customer_number", "address_key",
    "name_key", "restricted",
)  # fmt: skip
_Record = tuple[
    int, int | None, str, str | None, str | None, str | None, str | None, str | None, bool
]


def json_object(columns: Sequence[str]) -> Callable[[Sequence[str]], str]:
    """``json.dumps(dict(zip(columns, cells)))`` for rows of one cell per column, the same
    text (the JSON type's own serialisation) with the keys encoded once per file: per row
    only the values are escaped, by the C escaper ``json.dumps`` uses itself."""
    if len(set(columns)) != len(columns):  # a later key would win: keep json.dumps's answer
        return lambda cells: json.dumps(dict(zip(columns, cells, strict=True)))
    keys = [encode_basestring_ascii(column) + ": " for column in columns]
    return lambda cells: "{" + ", ".join(map(add, keys, map(encode_basestring_ascii, cells))) + "}"


def _records(file_id: int, datafile: DataFile) -> Iterator[_Record]:
    """Each row as the driver takes it; ``values`` serialised as the JSON type does."""
    values = json_object(datafile.columns)
    identifiers = row_identifiers(datafile.columns, datafile.column_roles)
    for number, cells in datafile.numbered_cells():
        email, phone, customer_number, address, name = identifiers(cells)
        yield file_id, number, values(cells), email, phone, customer_number, address, name, False


def _write_copy(connection: Connection, rows: Iterator[_Record]) -> int:
    """PostgreSQL: one ``COPY ... FROM STDIN`` in the caller's transaction."""
    count = 0
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    with cursor, cursor.copy(f"COPY data_record ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _write_executemany(connection: Connection, rows: Iterator[_Record]) -> int:
    """SQLite: the driver's ``executemany`` on plain tuples, batch by batch."""
    count = 0
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    marks = ", ".join("?" * len(_COLUMNS))
    sql = f"INSERT INTO data_record ({columns}) VALUES ({marks})"  # noqa: S608 - fixed names
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for batch in _batches(rows, BATCH):
            cursor.executemany(sql, batch)
            count += len(batch)
    finally:
        cursor.close()
    return count


def _write_core(connection: Connection, rows: Iterator[_Record]) -> int:
    """Any other database: SQLAlchemy's executemany."""
    count = 0
    table = sa_table(DataRecord)
    for batch in _batches(rows, BATCH):
        values = [dict(zip(_COLUMNS, row, strict=True)) for row in batch]
        for item in values:
            item["values"] = json.loads(str(item["values"]))
        connection.execute(table.insert(), values)
        count += len(batch)
    return count


_WRITERS: dict[str, Callable[[Connection, Iterator[_Record]], int]] = {
    "postgresql": _write_copy,
    "sqlite": _write_executemany,
}


def ingest_data_file(
    session: Session,
    source: DataSource,
    fileobj: BinaryIO,
    filename: str,
    *,
    actor: Actor,
    now: datetime,
    uploaded_by_id: int | None = None,
    column_roles: Mapping[str, str | None] | None = None,
    limits: FileLimits = DEFAULT_LIMITS,
    retention_days: int | None = None,
) -> DataFileUpload:
    """Read ``fileobj`` and store it as a :class:`DataFileUpload` with one record per row.

    The retention date is ``now`` plus ``retention_days`` (default: the owner's
    ``data_file_retention_days``). Raises :class:`DataFileError` with the reader's code,
    and ``Conflict`` (code ``contract_ended``) once the owner's contract ended
    (``rights.controllers.contract``); then nothing of the file is stored (flushes, never
    commits).
    """
    if source.kind is not SourceKind.FILE:
        raise ValidationFailed("Files can only be uploaded to a file source.", code="not_file")
    check_contract_running(source.organisation)
    days = (
        retention_days
        if retention_days is not None
        else source.organisation.data_file_retention_days
    )
    if not 1 <= days <= 3650:
        raise ValidationFailed("The retention period must be 1 to 3650 days.", code="retention")
    safe_name = "".join(ch for ch in filename.rsplit("/", 1)[-1] if ch.isprintable())[:255]
    with open_data_file(fileobj, filename, limits, column_roles=column_roles) as datafile:
        savepoint = session.begin_nested()
        try:
            upload = DataFileUpload(
                source_id=source.id,
                filename=safe_name or "upload",
                file_kind=datafile.kind,
                columns=list(datafile.columns),
                column_roles=dict(datafile.column_roles),
                row_count=0,
                uploaded_by_id=uploaded_by_id,
                uploaded_at=now,
                expires_at=now + timedelta(days=days),
            )
            session.add(upload)
            session.flush()
            file_id = upload.id
            connection = session.connection()
            write = _WRITERS.get(connection.dialect.name, _write_core)
            count = write(connection, _records(file_id, datafile))
            upload.row_count = count
            session.flush()
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            raise
    record(
        session,
        "data_file.ingested",
        actor=actor,
        now=now,
        object_type="data_file",
        object_id=upload.id,
        data={"source": source.slug, "rows": count, "kind": upload.file_kind, "days": days},
    )
    return upload


def purge_expired_files(session: Session, *, now: datetime, actor: Actor = SYSTEM) -> int:
    """Delete every data file past its retention date with its records, each leaving a
    ``DataFileDeletion`` (reason ``retention``) for its certificate; returns the count."""
    expired = session.scalars(
        select(DataFileUpload).where(DataFileUpload.expires_at <= now).order_by(DataFileUpload.id)
    ).all()
    for upload in expired:
        delete_data_file(session, upload, DeletionReason.RETENTION, actor=actor, now=now)
    session.flush()
    return len(expired)


def processing_rows(
    session: Session, upload: DataFileUpload
) -> tuple[Iterator[dict[str, str]], list[dict[str, str]]]:
    """The rows of a file for further processing, without restricted records (Art. 18(2)),
    and the restricted rows listed separately."""
    restricted = [
        dict(values)
        for values in session.scalars(
            select(DataRecord.values)
            .where(DataRecord.file_id == upload.id, DataRecord.restricted.is_(True))
            .order_by(DataRecord.row_number)
        )
    ]

    def usable() -> Iterator[dict[str, str]]:
        stmt = (
            select(DataRecord.values)
            .where(DataRecord.file_id == upload.id, DataRecord.restricted.is_(False))
            .order_by(DataRecord.row_number)
            .execution_options(yield_per=2000)
        )
        for values in session.scalars(stmt):
            yield dict(values)

    return usable(), restricted
