"""The machine API (docs/api.md): API keys per controller organisation, the OpenDSR
submissions they make, and the signed status callbacks owed to the controller's systems."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum
from rights.models.org import Organisation


class ApiKey(Base):
    """One key of one controller organisation. Only the SHA-256 of the key is stored; the
    key itself is shown once when it is made (``rights.opendsr.keys``)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The first 8 characters of the key: shown in lists and used to revoke it.
    prefix: Mapped[str] = mapped_column(String(8), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()


class OpenDsrSubmission(Base):
    """One OpenDSR request of a controller, linked to the rights request it became.
    ``subject_request_id`` is the controller's UUID, unique per organisation only: another
    controller using the same id is a different submission (no 409 that would reveal it)."""

    __tablename__ = "opendsr_submission"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "subject_request_id", name="uq_opendsr_submission_org_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="SET NULL"))
    subject_request_id: Mapped[str] = mapped_column(String(36))
    api_version: Mapped[str] = mapped_column(String(8), default="2.0")  # "1.0" or "2.0"
    subject_request_type: Mapped[str] = mapped_column(String(40))
    # SHA-256 of the canonical JSON of the body: the same id with another body is a 409.
    body_digest: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the controller's receipt
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())  # ours
    status_callback_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The create response as first sent, returned again for an idempotent repeat.
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_request.id", ondelete="SET NULL"), index=True
    )
    # The last request_status a callback was queued for (pending, in_progress, ...).
    last_status: Mapped[str] = mapped_column(String(20), default="pending")
    # The expected_completion_time last reported (RFC 3339); empty: the create response's.
    last_expected_completion: Mapped[str | None] = mapped_column(String(20))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CallbackStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after the maximum number of attempts


class CallbackDelivery(Base):
    """A status callback owed to one ``status_callback_url``: written in the transaction of
    the status change, posted (signed) after commit by the worker, retried with backoff."""

    __tablename__ = "opendsr_callback"
    __table_args__ = (Index("ix_opendsr_callback_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("opendsr_submission.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    request_status: Mapped[str] = mapped_column(String(20))
    # The exact bytes that are signed and posted (UTF-8 JSON).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CallbackStatus] = mapped_column(
        str_enum(CallbackStatus, "opendsr_callback_status"), default=CallbackStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
