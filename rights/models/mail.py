"""The mail outbox: rows written in the business transaction, sent after commit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum


class MailStatus(enum.StrEnum):
    """Where a mail is; the moves between them are ``rights.outbox.MAIL_STATUS``."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after the maximum number of attempts


class OutboxMail(Base):
    """A mail owed to someone. The portal renders ``template`` with ``context`` in
    ``language`` when it sends, so the domain never needs templates."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_request.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
