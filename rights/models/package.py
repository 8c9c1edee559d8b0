"""Export packages delivered to a data subject or a controller, and the one-time codes that
unlock a download (step-up). The package row outlives its file: after the purge it keeps
that the package existed, its checksum and its history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rights.db import Base, UTCDateTime
from rights.errors import NotFound
from rights.models.enums import str_enum
from rights.models.org import Organisation
from rights.models.request import RightsRequest


class PackageStatus(enum.StrEnum):
    """Where a package is; the moves are ``rights.packages.rules.PACKAGE_STATUS``."""

    BUILT = "built"  # stored encrypted, waiting for a second officer
    RELEASED = "released"  # the subject (and the controller) may download it
    REVOKED = "revoked"  # links withdrawn; may be re-issued without rebuilding
    # Never set: expiry is ``expires_at`` and the purge moves straight to PURGED. Kept so
    # the enum matches the database type; the transition table lets it only be purged.
    EXPIRED = "expired"
    PURGED = "purged"  # file deleted; the row keeps the checksum


class PackageKind(enum.StrEnum):
    REQUEST = "request"
    RETURN = "return"


class Package(Base):
    __tablename__ = "export_package"
    __table_args__ = (Index("ix_export_package_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "request": the answer to one request; "return": a return-of-data export for one
    # controller organisation (Art. 28(3)(g) GDPR), without a request.
    kind: Mapped[str] = mapped_column(String(10), default=PackageKind.REQUEST)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    status: Mapped[PackageStatus] = mapped_column(
        str_enum(PackageStatus, "package_status"), default=PackageStatus.BUILT
    )
    # Of the plaintext ZIP: what the subject receives and can check.
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    # Random file name under the package folder; never derived from the request.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    prepared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Download links carry this number; revoking or re-issuing bumps it, killing old links.
    link_generation: Mapped[int] = mapped_column(Integer, default=0)
    # Which parts of the request's answer this is (summary of the manifest, no personal data).
    manifest_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[RightsRequest | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def rights_request(self) -> RightsRequest:
        """The request of a request package (``NotFound`` for a return-of-data export)."""
        if self.request is None:
            raise NotFound("this package does not belong to a request", code="not_a_request")
        return self.request

    @property
    def display_reference(self) -> str:
        """The request's reference, or the return export's reference from its manifest."""
        if self.request is not None:
            return self.request.reference
        return str(self.manifest_summary.get("reference") or f"RETURN-{self.id}")

    def is_gone(self, now: datetime) -> bool:
        """True when nobody may download it any more (expired, revoked or purged)."""
        return self.status is not PackageStatus.RELEASED or now >= self.expires_at

    def __repr__(self) -> str:
        return f"<Package {self.id} {self.status}>"


class DownloadCode(Base):
    """A six-digit code mailed to the subject's verified address to unlock one download.
    Only a keyed hash is stored; a code works once, briefly, and a few wrong tries burn it."""

    __tablename__ = "download_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("export_package.id", ondelete="CASCADE"), index=True
    )
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)


class Transmission(Base):
    """Art. 20(2): the subject had a portability package sent to another organisation. The
    recipient gets an expiring link by mail; it dies with the package's links too."""

    __tablename__ = "package_transmission"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("export_package.id", ondelete="CASCADE"), index=True
    )
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The package's link generation when confirmed: revoking the package kills this link.
    link_generation: Mapped[int] = mapped_column(Integer, default=0)
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    package: Mapped[Package] = relationship()
