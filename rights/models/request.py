"""The rights request: who asks, what for, where it stands, and its deadline snapshot."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum
from rights.models.org import Organisation, User
from rights.righttypes import RightType


class RequestState(enum.StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    OPEN = "open"  # verified (or registered by staff), nobody working on it yet
    AWAITING_INFORMATION = "awaiting_information"  # suspended: identity or clarification
    FORWARDED = "forwarded"  # with the controller's designated contact (Art. 28(3)(e))
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"  # four eyes, or the controller's approval
    ANSWERED = "answered"  # see ``Outcome``
    WITHDRAWN = "withdrawn"
    CLOSED_UNVERIFIED = "closed_unverified"
    CLOSED = "closed"  # answered and locked; retention runs from here


class Outcome(enum.StrEnum):
    FULFILLED = "fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    REFUSED = "refused"


class Channel(enum.StrEnum):
    WEB = "web"
    EMAIL = "email"
    POST = "post"
    PHONE = "phone"
    IN_PERSON = "in_person"
    API = "api"


class IdentityStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    EMAIL_CONFIRMED = "email_confirmed"  # ID-2: one-time link to the address given
    VERIFIED = "verified"  # an officer recorded a sufficient check
    FAILED = "failed"  # Art. 11(2): cannot identify


class RightsRequest(Base):
    __tablename__ = "rights_request"
    __table_args__ = (
        Index("ix_rights_request_state_due", "state", "due"),
        Index("ix_rights_request_org_state", "organisation_id", "state"),
        # The workspace queue (open requests only: queue_due is NULL once a request is done).
        Index("ix_rights_request_queue", "queue_due", "id"),
        # Open requests only, so the counts per state (on every queue page) read a small
        # index and no table rows (migration 0018).
        Index(
            "ix_rights_request_state_queue",
            "state",
            "queue_due",
            postgresql_where=text("queue_due IS NOT NULL"),
            sqlite_where=text("queue_due IS NOT NULL"),
        ),
        Index("ix_rights_request_assignee_queue", "assignee_id", "queue_due"),
        Index("ix_rights_request_org_queue", "organisation_id", "queue_due"),
        Index("ix_rights_request_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    right: Mapped[RightType] = mapped_column(str_enum(RightType, "right_type"))
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState, "request_state"))
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "request_outcome"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "request_channel"))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    # Legal start of the clock (docs/legal.md, "Receipt"): original arrival, not the moment of
    # typing.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Responsible organisation; None while the subject answered "I don't know".
    # Both keys lead a composite index (org_state, org_queue; assignee_queue), which also
    # serves a look-up by the key alone: no index of their own (migration 0020).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Requests filed together, or split from one, share a group (linked requests).
    group_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    # A double submit with the same form key returns the same request.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    # Requester identity (personal data: removed by the retention purge).
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_email: Mapped[str] = mapped_column(String(254), default="", index=True)
    requester_phone: Mapped[str] = mapped_column(String(40), default="")
    requester_address: Mapped[str] = mapped_column(Text, default="")
    requester_customer_number: Mapped[str] = mapped_column(String(100), default="")
    # Representative (docs/legal.md, "Representatives and minors"): own details and relationship, or
    # empty.
    representative: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Points the officer must look at, set on receipt (rights/receipt.py): "minor_review",
    # "suppressed_on_operator_list", "suppression_without_identifier". None means none.
    review_flags: Mapped[list[str] | None] = mapped_column(JSON)

    identity_status: Mapped[IdentityStatus] = mapped_column(
        str_enum(IdentityStatus, "identity_status"), default=IdentityStatus.UNVERIFIED
    )
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Controllers decide (docs/controllers.md): when the request went to the controller's
    # designated contacts, the processor's forwarding target, and the reminders sent since.
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    forward_due: Mapped[date | None] = mapped_column(Date)
    forward_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    forward_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "We answer the subject ourselves": the processor executes what is instructed and
    # returns the results to the controller; it sends the subject no substantive answer (P-4).
    controller_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    # A controller instruction: filed by a designated contact, naming the action kinds it
    # instructs (the instruction is the approval for those actions).
    instructed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    instructed_actions: Mapped[list[str] | None] = mapped_column(JSON)
    # Single-use e-mail links: a link carries this counter; resending bumps it.
    link_generation: Mapped[int] = mapped_column(Integer, default=0)

    # Deadline snapshot (docs/legal.md, "Deadlines"); recomputed only by extend/suspend/resume.
    receipt_date: Mapped[date] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[date] = mapped_column(Date, index=True)
    due_end: Mapped[datetime] = mapped_column(UTCDateTime())
    target_due: Mapped[date] = mapped_column(Date)  # unsuspended date: the staff target (S-6)
    extended_due: Mapped[date] = mapped_column(Date)
    extended_due_end: Mapped[datetime] = mapped_column(UTCDateTime())
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_ground: Mapped[str | None] = mapped_column(String(40))
    extension_justification: Mapped[str | None] = mapped_column(Text)
    # The effective due date while the request is open, NULL when it is done; kept by a
    # mapper event in rights/models/casework.py so the queue can use one ordered index.
    queue_due: Mapped[date | None] = mapped_column(Date)

    # Optimistic locking: a stale save raises StaleDataError -> 409 (docs/security.md, "Nothing
    # lost").
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    suspensions: Mapped[list[Suspension]] = relationship(
        back_populates="request", order_by="Suspension.asked_at", cascade="all, delete-orphan"
    )

    @property
    def effective_due(self) -> date:
        return self.extended_due if self.extended else self.due

    @property
    def effective_due_end(self) -> datetime:
        return self.extended_due_end if self.extended else self.due_end

    def __repr__(self) -> str:
        return f"<RightsRequest {self.reference} {self.right} {self.state}>"


class Suspension(Base):
    """A pause of the clock while the subject is asked for information (docs/legal.md, "Pausing the
    clock")."""

    __tablename__ = "suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(40))  # identity | clarification
    note: Mapped[str] = mapped_column(Text, default="")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # S-1(c): asked without undue delay; only then do the paused days count.
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    # The state to return to when the subject answers.
    resume_state: Mapped[str | None] = mapped_column(String(32))
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    request: Mapped[RightsRequest] = relationship(back_populates="suspensions")
