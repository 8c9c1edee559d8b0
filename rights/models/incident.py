"""Incidents and personal-data breaches (docs/incidents.md): the register (Art. 33(5)), the
controllers whose data is involved and their notice (Art. 33(2)), the information given in
phases (Art. 33(4)), and the decision on telling the people concerned (Art. 34)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
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


class IncidentState(enum.StrEnum):
    """The moves between them are ``rights.incidents.lifecycle.TRANSITIONS``."""

    REPORTED = "reported"  # recorded; not yet assessed
    ASSESSED = "assessed"  # breach or not, and the risk, decided
    NOTIFIED = "notified"  # the affected controllers (and/or the AP) have been told
    CLOSED = "closed"  # measures recorded; stays in the register


class Risk(enum.StrEnum):
    NONE = "none"  # unlikely to result in a risk: documented only (Art. 33(1), (5))
    RISK = "risk"  # notify the AP (as controller) / the controller (as processor)
    HIGH = "high"  # also tell the people concerned (Art. 34(1)) unless Art. 34(3) applies


class SubjectsDecision(enum.StrEnum):
    """Art. 34: whether the people concerned are told (when we are the controller)."""

    UNDECIDED = "undecided"
    NOTIFY = "notify"  # letters go through the outbox
    NOT_REQUIRED = "not_required"  # with the reasons (Art. 34(3)(a)-(c) or no high risk)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_state_discovered", "state", "discovered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. INC-2026-0001
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[IncidentState] = mapped_column(
        str_enum(IncidentState, "incident_state"), default=IncidentState.REPORTED
    )
    # Both aware UTC; officers enter them in Amsterdam time.
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # aware it is a breach
    description: Mapped[str] = mapped_column(Text, default="")  # what happened
    # What and who is concerned (Art. 33(3)(a)): categories and approximate numbers.
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    approx_subjects: Mapped[int | None] = mapped_column(Integer)
    approx_records: Mapped[int | None] = mapped_column(Integer)
    # The data sources (``data_source.id``) and data files (``data_file_upload.id``) involved:
    # the affected controllers follow from them.
    source_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    data_file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The operator's own data is involved (we are the controller: the 72-hour AP clock runs).
    own_data: Mapped[bool] = mapped_column(Boolean, default=False)
    consequences: Mapped[str] = mapped_column(Text, default="")  # Art. 33(3)(c)
    measures_taken: Mapped[str] = mapped_column(Text, default="")  # Art. 33(3)(d)
    measures_proposed: Mapped[str] = mapped_column(Text, default="")  # Art. 33(3)(d)
    # Measures so it does not happen again, required to close (the seeds promise them).
    measures_recurrence: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking, as a request's: the edit forms carry it, so a form filled in
    # before someone else saved is refused (409) instead of overwriting (docs/incidents.md).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
    risk: Mapped[Risk | None] = mapped_column(str_enum(Risk, "incident_risk"))
    risk_reasons: Mapped[str] = mapped_column(Text, default="")
    # Art. 33(5): an incident that is not a breach stays in the register with the reason.
    is_breach: Mapped[bool | None] = mapped_column(Boolean)
    not_breach_reason: Mapped[str] = mapped_column(Text, default="")
    # The AP (when we are the controller): the 72-hour clock runs from ``aware_at``.
    ap_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ap_reference: Mapped[str] = mapped_column(String(80), default="")
    ap_delay_reasons: Mapped[str] = mapped_column(Text, default="")  # Art. 33(1), late notice
    ap_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ap_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    subjects_decision: Mapped[SubjectsDecision] = mapped_column(
        str_enum(SubjectsDecision, "incident_subjects_decision"),
        default=SubjectsDecision.UNDECIDED,
    )
    subjects_reasons: Mapped[str] = mapped_column(Text, default="")
    # Why not (``rights.incidents.own_data.GROUNDS``): no high risk or Art. 34(3)(a)-(c).
    subjects_ground: Mapped[str] = mapped_column(String(20), default="")
    # The people concerned live in more than one member state (the AP's form asks it).
    cross_border: Mapped[bool | None] = mapped_column(Boolean)
    subjects_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    controllers: Mapped[list[IncidentController]] = relationship(
        back_populates="incident", order_by="IncidentController.id"
    )


class IncidentController(Base):
    """One controller whose data is involved: its notice clock (hours from discovery, from
    its processing agreement), the notice, and who acknowledged it."""

    __tablename__ = "incident_controller"
    __table_args__ = (
        UniqueConstraint("incident_id", "organisation_id", name="uq_incident_controller"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    # Proposed from the sources and files involved until the officer confirms the list.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_hours: Mapped[int] = mapped_column(Integer, default=24)  # snapshot of the terms
    notice_due: Mapped[datetime] = mapped_column(UTCDateTime())  # discovered_at + hours
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="controllers")
    organisation: Mapped[Organisation] = relationship()


class UpdateKind(enum.StrEnum):
    FOLLOW_UP = "follow_up"  # information in phases (Art. 33(4)), officer -> controller
    QUESTION = "question"  # controller's contact -> officer
    ANSWER = "answer"  # officer -> controller, to a question
    NOTE = "note"  # internal note of the officers; never shown to a controller


class IncidentUpdate(Base):
    """A message on an incident. ``organisation_id`` names the one controller it is between
    (questions, answers, follow-ups to one controller); NULL means to every affected
    controller (follow-ups) or internal (notes)."""

    __tablename__ = "incident_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[UpdateKind] = mapped_column(str_enum(UpdateKind, "incident_update_kind"))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
