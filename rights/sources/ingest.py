"""Uploaded data files: streamed into indexed records, purged after their retention date.

The rows are inserted in batches inside a savepoint, so a bad row halfway through the file
rolls back every row before it: nothing is half-imported, whatever the caller does next.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from rights.audit import SYSTEM, Actor, record
from rights.controllers.datafiles import DeletionReason, delete_data_file
from rights.errors import ValidationFailed
from rights.models.source import DataFileUpload, DataRecord, DataSource, SourceKind
from rights.sources.datafile import FileLimits
from rights.sources.filereader import DEFAULT_LIMITS, open_data_file


def sa_table(model: type[DataRecord]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


__all__ = ["BATCH", "ingest_data_file", "processing_rows", "purge_expired_files"]

BATCH = 5_000


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
    ``data_file_retention_days``). Raises :class:`DataFileError` with the reader's code;
    then nothing of the file is stored (flushes, never commits).
    """
    if source.kind is not SourceKind.FILE:
        raise ValidationFailed("Files can only be uploaded to a file source.", code="not_file")
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
            table = sa_table(DataRecord)
            connection = session.connection()

            def records() -> Iterator[dict[str, Any]]:
                for row in datafile.normalised_rows():
                    yield {
                        "file_id": file_id,
                        "row_number": row.row_number,
                        "values": dict(row.raw),
                        "email": row.emails[0] if row.emails else None,
                        "phone": row.phones[0] if row.phones else None,
                        "customer_number": row.customer_numbers[0]
                        if row.customer_numbers
                        else None,
                        "address_key": row.address_key,
                        "name_key": row.name_key,
                        "restricted": False,
                    }

            count = 0
            for batch in _batches(records(), BATCH):
                connection.execute(table.insert(), batch)
                count += len(batch)
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
