"""What a case holds besides the request itself: the messages exchanged with the subject,
the documents uploaded for it, and the answer letters sent. Shared by the public status
page and the officer's workspace."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum
from rights.models.request import Outcome


class Party(enum.StrEnum):
    """Who wrote a message or uploaded a document."""

    OFFICER = "officer"
    SUBJECT = "subject"
    CONTROLLER = "controller"
    SYSTEM = "system"


class DocumentKind(enum.StrEnum):
    # Deleted as soon as the check is recorded (docs/legal.md, "Establishing identity").
    ID_DOCUMENT = "id_document"
    # A representative's authorisation (docs/legal.md, "Representatives and minors").
    MANDATE = "mandate"
    EVIDENCE = "evidence"  # anything else the officer asked for
    ATTACHMENT = "attachment"  # sent by the officer to the subject


class Message(Base):
    """One message in the thread between the case and the subject. The mail that announces
    it never contains the body: the subject reads it on the status page."""

    __tablename__ = "case_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[Party] = mapped_column(str_enum(Party, "message_sender"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    # The officer asked for a document: only then may the subject attach one.
    asks_document: Mapped[bool] = mapped_column(Boolean, default=False)
    # The officer's message that this one answers (threading).
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Document(Base):
    """An uploaded file, stored encrypted outside the database under ``storage_key`` with
    the document id as associated data. The row outlives the content: after deletion the
    row keeps that it existed, its checksum and why it went."""

    __tablename__ = "case_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="SET NULL")
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    uploaded_by: Mapped[Party] = mapped_column(str_enum(Party, "document_party"))
    # A random name on disk; never derived from the uploaded file name.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Shown to staff only, already sanitised; never used as a path.
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_reason: Mapped[str | None] = mapped_column(String(40))


class AnswerLetter(Base):
    """The answer to a request as sent: outcome, legal grounds, the final text in the
    subject's language. Drafts are edited until ``sent_at`` is set; then it is fixed and
    shown on the status page."""

    __tablename__ = "answer_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "letter_outcome"))
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    body: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
