"""Data sources (where a subject's data live) and what the portal did with them.

A :class:`DataSource` is an SQL database, a series of uploaded data files, or a manual
system (a person answers). Each belongs to the operator or to one controller and carries the
Art. 15(1) information and the named recipients (CJEU C-154/21) that feed the access answer
and the Art. 19 notifications.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum
from rights.models.org import Organisation


class SourceKind(enum.StrEnum):
    SQL = "sql"
    FILE = "file"  # uploaded data files (databestanden)
    MANUAL = "manual"  # no connector: a task for a named person


class MatchStatus(enum.StrEnum):
    CANDIDATE = "candidate"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ActionKind(enum.StrEnum):
    EXPORT = "export"
    RECTIFY = "rectify"
    ERASE = "erase"
    RESTRICT = "restrict"
    LIFT_RESTRICTION = "lift_restriction"  # Art. 18(3): the subject is told first
    SUPPRESS = "suppress"
    NOTIFY = "notify"


class ActionStatus(enum.StrEnum):
    PREPARED = "prepared"  # previewed (dry run); the plan is stored
    EXECUTED = "executed"
    FAILED = "failed"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    SENT = "sent"
    DONE = "done"


class DataSource(Base):
    __tablename__ = "data_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "source_kind"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Art. 15(1) information, in the controller's words.
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    retention: Mapped[str] = mapped_column(Text, default="")
    source_of_data: Mapped[str] = mapped_column(Text, default="")
    backup_rotation: Mapped[str] = mapped_column(String(200), default="")
    # [{name, role, contact_email, country}] by identity (Art. 15(1)(c), Art. 19).
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The declarative mapping (tables for SQL; assignee for manual); no secrets.
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SQLAlchemy URL, AES-GCM encrypted with associated data "data_source:<slug>".
    url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<DataSource {self.slug} {self.kind}>"


class DataFileUpload(Base):
    """One uploaded data file; its rows are :class:`DataRecord`. Purged at ``expires_at``."""

    __tablename__ = "data_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("data_source.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    file_kind: Mapped[str] = mapped_column(String(10))
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    column_roles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    source: Mapped[DataSource] = relationship()


class DataRecord(Base):
    """One row of an uploaded file with its normalised identifiers (indexed for look-up)."""

    __tablename__ = "data_record"
    __table_args__ = (
        Index("ix_data_record_email", "email"),
        Index("ix_data_record_phone", "phone"),
        Index("ix_data_record_customer_number", "customer_number"),
        Index("ix_data_record_address_key", "address_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("data_file.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, str]] = mapped_column(JSON)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    customer_number: Mapped[str | None] = mapped_column(String(64))
    address_key: Mapped[str | None] = mapped_column(String(100))
    name_key: Mapped[str | None] = mapped_column(String(200))
    # Art. 18: kept, but left out of exports of the file for processing.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)


class SubjectMatch(Base):
    """A place where discovery found the subject; the officer confirms or rejects it."""

    __tablename__ = "subject_match"
    __table_args__ = (
        UniqueConstraint("request_id", "source_id", "locator_key", name="uq_subject_match_loc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("data_source.id", ondelete="CASCADE"), index=True
    )
    # {"record": id} for a data file; {"table": name, "pk": value} for SQL.
    locator: Mapped[dict[str, Any]] = mapped_column(JSON)
    locator_key: Mapped[str] = mapped_column(String(300))
    matched_by: Mapped[str] = mapped_column(String(40))  # email | phone | address_name | ...
    # False when the identifier that matched was not verified for this request (show it).
    identifier_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MatchStatus] = mapped_column(
        str_enum(MatchStatus, "match_status"), default=MatchStatus.CANDIDATE
    )
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    source: Mapped[DataSource] = relationship()


class SourceAction(Base):
    """One action on one source for one request: its previewed plan and what was executed."""

    __tablename__ = "source_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_source.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ActionKind] = mapped_column(str_enum(ActionKind, "action_kind"))
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The dry run: operations without personal values (tables, keys, columns).
    plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # What the execution did (equal to ``plan`` on success) and what a hold kept.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prepared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    executed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(80))

    source: Mapped[DataSource | None] = relationship()


class SuppressionEntry(Base):
    """A keyed hash of an identifier the controller may no longer use for marketing."""

    __tablename__ = "suppression_entry"
    __table_args__ = (
        UniqueConstraint("organisation_id", "identifier_hash", name="uq_suppression_org_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    identifier_hash: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(40))  # objection | consent_withdrawn
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_request.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SourceTask(Base):
    """Work for a person: an Art. 19 notice to a named recipient, or a manual source search."""

    __tablename__ = "source_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_source.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # recipient_notice | manual_search
    action: Mapped[str] = mapped_column(String(20), default="")  # erase | rectify | restrict
    assignee_name: Mapped[str] = mapped_column(String(200))
    assignee_email: Mapped[str] = mapped_column(String(254))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    # Set when the named person answered through the task link: uploaded | nothing_found |
    # done (a manual search); None when the officer recorded the answer.
    outcome: Mapped[str | None] = mapped_column(String(20))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_document.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    source: Mapped[DataSource | None] = relationship()
