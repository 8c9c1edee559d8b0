"""A controller's data files: which ones it has, and deleting one with a record of what was
deleted (docs/controllers.md, "Results back to the controller").

Every deletion of an uploaded data file, on its retention date, early on the controller's
request or at the end of the contract, leaves a :class:`DataFileDeletion`: the facts of the
deletion certificate (file name, rows, dates, why, by whom), never the rows themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, contains_eager

from rights.audit import Actor, record
from rights.errors import NotFound
from rights.models.controller import DataFileDeletion
from rights.models.source import DataFileUpload, DataRecord, DataSource, SourceKind

__all__ = [
    "DeletionReason",
    "delete_data_file",
    "file_deletions",
    "file_sources",
    "organisation_files",
    "own_deletion",
    "own_file",
]


class DeletionReason(enum.StrEnum):
    RETENTION = "retention"  # the retention date passed (the purge job)
    EARLY = "early"  # the controller's contact deleted it before its date
    CONTRACT_END = "contract_end"  # Art. 28(3)(g): all data deleted at the end of contract


def delete_data_file(
    session: Session,
    upload: DataFileUpload,
    reason: DeletionReason,
    *,
    actor: Actor,
    now: datetime,
) -> DataFileDeletion:
    """Delete the file and all its records, keep what the certificate needs, audit it
    (flushes, never commits)."""
    source = upload.source
    rows = session.scalar(
        select(func.count()).select_from(DataRecord).where(DataRecord.file_id == upload.id)
    )
    session.execute(delete(DataRecord).where(DataRecord.file_id == upload.id))
    deletion = DataFileDeletion(
        organisation_id=source.organisation_id,
        source_id=source.id,
        source_name=source.name,
        filename=upload.filename,
        row_count=int(rows or 0),
        uploaded_at=upload.uploaded_at,
        expires_at=upload.expires_at,
        reason=reason.value,
        deleted_by_id=actor.id if actor.kind == "user" else None,
        deleted_at=now,
    )
    session.add(deletion)
    session.flush()
    record(
        session,
        "data_file.purged" if reason is DeletionReason.RETENTION else "data_file.deleted",
        actor=actor,
        now=now,
        object_type="data_file",
        object_id=upload.id,
        data={
            "source_id": source.id,
            "rows": deletion.row_count,
            "reason": reason.value,
            "deletion_id": deletion.id,
        },
    )
    session.delete(upload)
    session.flush()
    return deletion


def file_sources(session: Session, organisation_id: int) -> Sequence[DataSource]:
    """The organisation's active file sources, by name (where a contact may upload)."""
    return session.scalars(
        select(DataSource)
        .where(
            DataSource.organisation_id == organisation_id,
            DataSource.kind == SourceKind.FILE,
            DataSource.active.is_(True),
        )
        .order_by(DataSource.name, DataSource.id)
    ).all()


def organisation_files(session: Session, organisation_id: int) -> Sequence[DataFileUpload]:
    """The organisation's stored data files, newest first, each with its source."""
    return (
        session.scalars(
            select(DataFileUpload)
            .join(DataSource, DataFileUpload.source_id == DataSource.id)
            .options(contains_eager(DataFileUpload.source))
            .where(DataSource.organisation_id == organisation_id)
            .order_by(DataFileUpload.uploaded_at.desc(), DataFileUpload.id.desc())
        )
        .unique()
        .all()
    )


def file_deletions(
    session: Session, organisation_id: int, reason: DeletionReason | None = None
) -> Sequence[DataFileDeletion]:
    """The organisation's deleted files (of one reason), newest first."""
    stmt = select(DataFileDeletion).where(DataFileDeletion.organisation_id == organisation_id)
    if reason is not None:
        stmt = stmt.where(DataFileDeletion.reason == reason.value)
    return session.scalars(
        stmt.order_by(DataFileDeletion.deleted_at.desc(), DataFileDeletion.id.desc())
    ).all()


def own_file(session: Session, organisation_id: int, file_id: int) -> DataFileUpload:
    """The data file if it belongs to the organisation; ``NotFound`` otherwise (the same
    for another organisation's file as for an unknown id)."""
    upload = session.get(DataFileUpload, file_id)
    if upload is None or upload.source.organisation_id != organisation_id:
        raise NotFound("no such data file", code="not_found")
    return upload


def own_deletion(session: Session, organisation_id: int, deletion_id: int) -> DataFileDeletion:
    """The deletion record if it is the organisation's; ``NotFound`` otherwise."""
    deletion = session.get(DataFileDeletion, deletion_id)
    if deletion is None or deletion.organisation_id != organisation_id:
        raise NotFound("no such deletion", code="not_found")
    return deletion
