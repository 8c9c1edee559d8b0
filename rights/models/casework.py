"""What the officer's workspace records besides the request: internal notes, the identity check that
replaced the ID copies (docs/legal.md, "Establishing identity"), and links between requests (split,
duplicate). Also keeps ``RightsRequest.queue_due`` in step with state and extension."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from rights.db import Base, UTCDateTime
from rights.models.request import RequestState, RightsRequest

_OPEN = frozenset(
    {
        RequestState.AWAITING_VERIFICATION,
        RequestState.OPEN,
        RequestState.AWAITING_INFORMATION,
        RequestState.FORWARDED,
        RequestState.IN_PROGRESS,
        RequestState.AWAITING_APPROVAL,
    }
)


class CaseNote(Base):
    """An internal note (never shown to the subject): why a request was withdrawn on the
    subject's behalf, the facts behind a 'manifestly unfounded' decision, and the like."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdentityCheck(Base):
    """ID-5: what is kept of an identity check once the copies are deleted."""

    __tablename__ = "identity_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseLink(Base):
    """Two requests that belong together: ``split`` (one per organisation) or
    ``duplicate`` (``request_id`` was merged into ``other_id``)."""

    __tablename__ = "case_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("rights_request.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _queue_due(request: RightsRequest) -> None:
    if request.state in _OPEN:
        request.queue_due = request.extended_due if request.extended else request.due
    else:
        request.queue_due = None


@event.listens_for(RightsRequest, "before_insert")
def _before_insert(mapper: Any, connection: Any, target: RightsRequest) -> None:
    _queue_due(target)


@event.listens_for(RightsRequest, "before_update")
def _before_update(mapper: Any, connection: Any, target: RightsRequest) -> None:
    _queue_due(target)
