"""The officer's queue: open requests, soonest due first, with filters, search and paging.

Open requests carry ``queue_due`` (their effective due date); finished ones have NULL there,
so every queue query walks one ordered index (``ix_rights_request_queue`` or a composite
starting with the filter column) and stays fast with 100,000 requests (bench/bench_queue.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from rights import audit
from rights.approvals import pending_clause
from rights.audit import Actor
from rights.deadlines import local_date
from rights.identifiers import identifier_hash
from rights.models.org import Organisation, User
from rights.models.request import RequestState, RightsRequest
from rights.righttypes import RightType

PAGE_SIZE = 50
DUE_SOON_DAYS = 7
# "awaiting_subject" etc. are named views on states, kept here so the view stays dumb.
WAITING_FILTERS: dict[str, RequestState] = {
    "awaiting_subject": RequestState.AWAITING_INFORMATION,
    "awaiting_controller": RequestState.FORWARDED,
    "awaiting_approval": RequestState.AWAITING_APPROVAL,
}
REFERENCE_RE = re.compile(r"^[A-Z0-9-]{4,20}$")


@dataclass(frozen=True)
class QueueFilter:
    state: RequestState | None = None
    right: RightType | None = None
    organisation_id: int | None = None
    assignee_id: int | None = None  # 0 = unassigned
    overdue: bool = False
    due_soon: bool = False
    waiting: str | None = None  # a key of WAITING_FILTERS
    extended: bool = False


@dataclass(frozen=True)
class QueueItem:
    """What a queue row shows of a request, read as plain columns (no ORM objects: the page
    reads 50 of them on every visit)."""

    reference: str
    right: RightType
    state: RequestState
    review_flags: list[str] | None
    queue_due: date | None
    due: date
    extended_due: date
    extended: bool
    instructed: bool  # a controller's instruction (rights.controllers.instructions)
    organisation: str | None
    assignee: str | None

    @property
    def effective_due(self) -> date:
        return self.extended_due if self.extended else self.due

    @classmethod
    def of(cls, r: RightsRequest) -> QueueItem:
        """The same for a loaded request (the search page)."""
        return cls(
            r.reference, r.right, r.state, r.review_flags, r.queue_due, r.due, r.extended_due,
            r.extended, r.instructed_actions is not None,
            r.organisation.name if r.organisation else None,
            r.assignee.name if r.assignee else None,
        )  # fmt: skip


_ITEM_COLUMNS = (
    RightsRequest.reference,
    RightsRequest.right,
    RightsRequest.state,
    RightsRequest.review_flags,
    RightsRequest.queue_due,
    RightsRequest.due,
    RightsRequest.extended_due,
    RightsRequest.extended,
    RightsRequest.instructed_actions,
    Organisation.name,
    User.name,
)


@dataclass
class QueuePage:
    requests: Sequence[QueueItem]
    total: int
    page: int
    pages: int
    counts: dict[RequestState, int] = field(default_factory=dict)


def _filtered(
    session: Session, stmt: Select[tuple[RightsRequest]], f: QueueFilter, today: date
) -> Select[tuple[RightsRequest]]:
    rr = RightsRequest
    stmt = stmt.where(rr.queue_due.is_not(None))
    if f.state is not None:
        stmt = stmt.where(rr.state == f.state)
    if f.waiting == "awaiting_approval":
        # The request's own state, or any four-eyes item waiting (rights/approvals.py).
        stmt = stmt.where(or_(rr.state == WAITING_FILTERS[f.waiting], pending_clause(session)))
    elif f.waiting in WAITING_FILTERS:
        stmt = stmt.where(rr.state == WAITING_FILTERS[f.waiting])
    if f.right is not None:
        stmt = stmt.where(rr.right == f.right)
    if f.organisation_id is not None:
        stmt = stmt.where(rr.organisation_id == f.organisation_id)
    if f.assignee_id == 0:
        stmt = stmt.where(rr.assignee_id.is_(None))
    elif f.assignee_id is not None:
        stmt = stmt.where(rr.assignee_id == f.assignee_id)
    if f.overdue:
        stmt = stmt.where(rr.queue_due < today)
    if f.due_soon:
        stmt = stmt.where(
            rr.queue_due >= today, rr.queue_due <= today + timedelta(days=DUE_SOON_DAYS)
        )
    if f.extended:
        stmt = stmt.where(rr.extended.is_(True))
    return stmt


def queue_page(
    session: Session, f: QueueFilter, *, now: datetime, page: int = 1, page_size: int = PAGE_SIZE
) -> QueuePage:
    """One page of open requests matching ``f``, soonest effective due date first."""
    today = local_date(now)
    base = _filtered(session, select(RightsRequest), f, today)
    found = _open_per_state(session)
    if f == QueueFilter():  # no filter: the open requests are the ones counted per state
        total = sum(found.values())
    else:
        total = session.scalar(base.with_only_columns(func.count(RightsRequest.id))) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        base.with_only_columns(*_ITEM_COLUMNS)
        .outerjoin(Organisation, Organisation.id == RightsRequest.organisation_id)
        .outerjoin(User, User.id == RightsRequest.assignee_id)
        .order_by(RightsRequest.queue_due, RightsRequest.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    items = [
        # the instruction's actions: only whether there are any
        QueueItem(ref, right, state, flags, queue_due, due, ext_due, ext, acts is not None, o, a)
        for ref, right, state, flags, queue_due, due, ext_due, ext, acts, o, a in rows
    ]
    return QueuePage(items, total, page, pages, _in_order(found))


@functools.cache
def _per_state_statement() -> Any:
    """Built once (every queue page runs it). ``count(*)`` with exactly the condition of
    the partial index ``ix_rights_request_state_queue``: read from that index alone."""
    return (
        select(RightsRequest.state, func.count())
        .where(RightsRequest.queue_due.is_not(None))
        .group_by(RightsRequest.state)
    )


def _open_per_state(session: Session) -> dict[RequestState, int]:
    rows = session.execute(_per_state_statement()).all()
    return {RequestState(s): n for s, n in rows}


def state_counts(session: Session) -> dict[RequestState, int]:
    """Open requests per state (every open state present, zero included)."""
    return _in_order(_open_per_state(session))


def _in_order(found: dict[RequestState, int]) -> dict[RequestState, int]:
    order = [
        RequestState.AWAITING_VERIFICATION,
        RequestState.OPEN,
        RequestState.AWAITING_INFORMATION,
        RequestState.FORWARDED,
        RequestState.IN_PROGRESS,
        RequestState.AWAITING_APPROVAL,
    ]
    return {s: found.get(s, 0) for s in order}


def search(
    session: Session, query: str, *, actor: Actor, now: datetime, key: bytes
) -> list[RightsRequest]:
    """Find requests (open or not) by reference or by the requester's e-mail address.

    The search itself is audited: which kind of search, the number of hits and a keyed
    hash of the query, never the address itself (docs/security.md, "No personal data in logs").
    """
    text = query.strip()
    if not text:
        return []
    if "@" in text:
        kind = "email"
        normalised = text.lower()
        stmt = select(RightsRequest).where(RightsRequest.requester_email.in_({text, normalised}))
    else:
        kind = "reference"
        normalised = text.upper()
        stmt = select(RightsRequest).where(RightsRequest.reference == normalised)
    rows = list(session.scalars(stmt.order_by(RightsRequest.received_at.desc()).limit(100)).all())
    audit.record(
        session,
        "queue.searched",
        actor=actor,
        now=now,
        data={
            "kind": kind,
            "query_hash": identifier_hash(key, kind, normalised),
            "hits": len(rows),
        },
    )
    return rows
