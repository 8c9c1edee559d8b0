"""What a controller decided about a request, and what is left of its deleted data files
(docs/controllers.md)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum
from rights.models.org import Organisation, User


class DecisionKind(enum.StrEnum):
    # On one action or one package (``action_id`` or ``package_id`` set):
    APPROVE = "approve"  # bound to ``digest``: the preview it was given on
    REJECT = "reject"  # with a reason
    COMMENT = "comment"  # a remark; decides nothing
    # On the request as a whole (neither set):
    ASK_IDENTITY = "ask_identity"  # the processor sends the question; the clock pauses
    EXTEND = "extend"  # the processor sends the extension notice
    REFUSE = "refuse"  # with a ground allowed for the right (``ground``)
    ANSWER_OURSELVES = "answer_ourselves"  # the controller answers the subject itself


class ControllerDecision(Base):
    """One decision of a controller's designated contact. An approval lapses (``lapsed_at``)
    when the plan it was given on changes; a lapsed approval authorises nothing."""

    __tablename__ = "controller_decision"
    __table_args__ = (Index("ix_controller_decision_action", "action_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_action.id", ondelete="CASCADE")
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("export_package.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, "decision_kind"))
    # SHA-256 of the canonical plan (action) or the package's sha256 it was decided on.
    digest: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    ground: Mapped[str | None] = mapped_column(String(60))  # REFUSE: rights.grounds code
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship()


class DataFileDeletion(Base):
    """What is kept of a data file after it was deleted (on its retention date, early on the
    controller's request, or at the end of the contract): the deletion certificate's facts."""

    __tablename__ = "data_file_deletion"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(ForeignKey("data_source.id", ondelete="SET NULL"))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(20))  # retention | early | contract_end
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())
