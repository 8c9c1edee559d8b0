"""Organisations (the operator and its controllers) and the people who log in."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.models.enums import str_enum


class OrganisationKind(enum.StrEnum):
    OPERATOR = "operator"  # the organisation that runs the portal (often a processor)
    CONTROLLER = "controller"  # a client whose data the operator processes (Art. 28)


class Answering(enum.StrEnum):
    """Who answers the data subject when the controller decides (docs/controllers.md)."""

    PROCESSOR = "processor"  # the processor answers on the controller's behalf, after approval
    CONTROLLER = "controller"  # "we answer the subject ourselves": results go back to them


class Role(enum.StrEnum):
    OFFICER = "officer"  # the privacy desk: works the queue
    ADMIN = "admin"  # officer rights plus users, organisations, sources, settings
    CONTROLLER = "controller"  # a controller's contact person: only their organisation


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Designated contact for data-subject requests (Art. 28(3)(e) routing target).
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Public details shown on the start page (operator) or the organisation list (controllers).
    address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    listed_publicly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days an uploaded data file is kept before it is purged (seeds: "deleted after a month").
    data_file_retention_days: Mapped[int] = mapped_column(Integer, default=30)
    # A controller's terms with the operator (docs/controllers.md, "Organisations as controllers").
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    dpa_reference: Mapped[str] = mapped_column(String(120), default="")
    # The processor's forwarding target, in working days after verification (P-1: 1).
    forward_within_days: Mapped[int] = mapped_column(Integer, default=1)
    # Admin rule: forward right after verification, without waiting for an officer.
    auto_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    answering: Mapped[Answering] = mapped_column(
        str_enum(Answering, "organisation_answering"), default=Answering.PROCESSOR
    )
    # Art. 28(4): [{"name", "country", "purpose"}], shown to the controller and in answers.
    sub_processors: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # End of contract (Art. 28(3)(g)): set when all its data were returned and deleted.
    contract_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Machine API (docs/api.md): https origins ("https://host[:port]") the controller's status
    # callbacks may go to; anything else is refused when the request is submitted.
    callback_allowlist: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Breach notice (docs/incidents.md): hours after discovery within which the processor tells
    # this controller of a breach in its data, from the processing agreement (18, 24, ...).
    breach_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.slug}>"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A controller contact who may instruct the processor for their organisation (approve,
    # reject, decide). Only designated contacts instruct; others of the organisation only read.
    designated: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    # Rotated on logout, password change, factor reset and disable: a copied cookie dies.
    session_nonce: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(32)
    )
    # Second factor (accounts issue): seed encrypted at rest, last accepted time-step.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_timecode: Mapped[int | None] = mapped_column(Integer)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_password_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_password_window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_code_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Duck-typed for Flask-Login (no Flask import here). The session id carries the nonce.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
