"""Audit trail: every state change and every view or disclosure of personal data.

Events form a hash chain: ``hash = sha256(prev_hash | canonical event)``. Editing, deleting
or reordering any row breaks the chain, and ``verify_chain`` names the first broken link.
Event data holds ids, codes and keyed hashes only (docs/security.md, "No personal data in logs").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.expression import Executable

from rights.driversql import MAX_ROWS, DriverStatement, RowsInsert, insert_rows, rows_values
from rights.models.audit import AuditEvent, AuditHead

GENESIS = "0" * 64
_PENDING = "rights.audit.pending"  # key in Session.info: [(transaction, event), ...]


@dataclass(frozen=True)
class Actor:
    """Who did it: a logged-in user, the data subject of a request, the system, or the API."""

    kind: str
    id: int | None = None

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls("user", user_id)

    @classmethod
    def subject(cls) -> Actor:
        return cls("subject")


SYSTEM = Actor("system")


@dataclass(slots=True)
class PendingEvent:
    """An event recorded in a transaction and not yet in the chain: the columns of an
    ``AuditEvent`` row, a plain object (an ORM object's instrumented attributes cost more
    than the event's INSERT, issue 17). ``write_pending`` sets ``seq`` and the hashes."""

    occurred_at: datetime
    actor_kind: str
    actor_id: int | None
    action: str
    request_id: int | None
    object_type: str | None
    object_id: int | None
    data: dict[str, Any]
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


def _canonical(event: AuditEvent | PendingEvent) -> str:
    occurred = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "seq": event.seq,
        "at": occurred,
        "actor": [event.actor_kind, event.actor_id],
        "action": event.action,
        "request": event.request_id,
        "object": [event.object_type, event.object_id],
        "data": event.data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _link(prev_hash: str, event: AuditEvent | PendingEvent) -> str:
    return hashlib.sha256(f"{prev_hash}|{_canonical(event)}".encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor: Actor,
    now: datetime,
    request_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> PendingEvent:
    """Add one event to the caller's transaction (never commits).

    The event is kept with the session and appended to the chain when the transaction
    commits (``write_pending``, run by the commit hook below), so the chain's head row is
    locked only for the last statements before COMMIT instead of from the first event to the
    end of the transaction (docs/architecture.md, "Audit chain"). An event recorded inside a
    savepoint that is rolled back is dropped with it; a rolled-back transaction writes none.
    """
    event = PendingEvent(
        now.astimezone(UTC),
        actor.kind,
        actor.id,
        action,
        request_id,
        object_type,
        object_id,
        dict(data or {}),
    )
    tx = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((tx, event))
    return event


def write_pending(session: Session) -> int:
    """Append the session's recorded events to the chain now (flushes); how many.

    Everything else the transaction holds is flushed first, then the head is locked
    (``SELECT ... FOR UPDATE``; SQLite's write transactions are exclusive anyway), the events
    are linked and inserted in one batch and the head moves on. The three statements go
    through the session's connection as Core statements, not the unit of work (issue 17:
    the unit of work cost more than the statements); a head row the session already holds
    gets the new values, and the pending events carry their sequence number and hashes.
    """
    pending: list[tuple[SessionTransaction, PendingEvent]] = session.info.pop(_PENDING, [])
    if not pending:
        return 0
    session.flush()
    conn = session.connection()
    seq, prev = _locked_head(conn)
    rows = []
    for _, event in pending:
        event.seq, event.prev_hash = seq + 1, prev
        event.hash = _link(prev, event)
        seq, prev = event.seq, event.hash
        rows.append({name: getattr(event, name) for name in _EVENT_COLUMNS})
    _append(conn, rows, seq, prev)
    held = session.identity_map.get(identity_key(AuditHead, 1))
    if held is not None:
        set_committed_value(held, "seq", seq)
        set_committed_value(held, "hash", prev)
    return len(pending)


_EVENT_COLUMNS = tuple(c.name for c in AuditEvent.__table__.columns if c.name != "id")
# Compiled once per dialect and run on the driver (rights.driversql): every commit runs them.
_HEAD_LOCKED = DriverStatement(
    select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
)
_MOVE_HEAD = DriverStatement(update(AuditHead).where(AuditHead.id == 1), ("seq", "hash"))
_EVENTS_TABLE: Any = AuditEvent.__table__
_INSERT_EVENTS = RowsInsert(_EVENTS_TABLE, _EVENT_COLUMNS)


@lru_cache(maxsize=MAX_ROWS)
def _appended(count: int) -> DriverStatement:
    """PostgreSQL: the INSERT of ``count`` events as a CTE of the head's UPDATE (one round
    trip for both)."""
    return DriverStatement(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=bindparam("seq"), hash=bindparam("hash"))
        .add_cte(insert_rows(_EVENTS_TABLE, _EVENT_COLUMNS, count).cte("events"))
    )


def _append(conn: Connection, rows: list[dict[str, Any]], seq: int, head: str) -> None:
    """The events' rows, then the head at ``seq``/``head``: one statement on PostgreSQL, two
    elsewhere (SQLite has no INSERT inside a WITH) and for a batch past ``MAX_ROWS``."""
    if conn.dialect.name == "postgresql" and len(rows) <= MAX_ROWS:
        values = {**rows_values(rows, _EVENT_COLUMNS), "seq": seq, "hash": head}
        _appended(len(rows)).execute(conn, values)
        return
    _INSERT_EVENTS.execute(conn, rows)
    _MOVE_HEAD.execute(conn, {"seq": seq, "hash": head})


def _locked_head(conn: Connection) -> tuple[int, str]:
    """The head row's sequence number and hash, locked; the row is made first if this is the
    chain's first event (two first writers at once: the second one's insert waits for the
    first and then does nothing)."""
    head: Any = _HEAD_LOCKED.execute(conn).first()
    if head is None:
        conn.execute(_FIRST_HEAD[conn.dialect.name]())
        head = _HEAD_LOCKED.execute(conn).one()
    return int(head[0]), str(head[1])


_FIRST_HEAD: dict[str, Callable[[], Executable]] = {
    "postgresql": lambda: (
        postgresql.insert(AuditHead).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing()
    ),
    "sqlite": lambda: (
        sqlite.insert(AuditHead).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing()
    ),
}


def _within(tx: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False


@sa_event.listens_for(Session, "before_commit")
def _write_on_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        write_pending(session)


@sa_event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    # Like autoflush: a query of the audit tables in the same transaction sees its events.
    if state.session.info.get(_PENDING) and any(
        m.class_ in (AuditEvent, AuditHead) for m in state.all_mappers
    ):
        write_pending(state.session)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(tx, ev) for tx, ev in pending if not _within(tx, previous)]


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_at_end(session: Session, transaction: SessionTransaction) -> None:
    # A transaction that ends without a commit (close, a failed commit) wrote no event.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class ChainReport:
    """What a check of the chain found. ``problem`` is a stable code (``PROBLEMS``), ``reason``
    its technical English for logs; an officer reads the words of
    ``operations.audit_words.chain_text``. ``last_intact_at`` is when the last intact event
    was written, ``anchor_seq`` the position of the anchor given."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    problem: str = ""
    last_intact_at: datetime | None = None
    anchor_seq: int | None = None


# Why a chain does not verify: code -> technical English (ChainReport.reason).
PROBLEMS = {
    "missing": "missing event",
    "broken_link": "broken link to previous event",
    "changed": "event content changed",
    "truncated": "events missing at the end",
    "before_anchor": "the chain ends before the anchor",
    "anchor_differs": "the event at the anchor is different",
}


@dataclass(frozen=True)
class Anchor:
    """A chain position kept outside the database (``SEQ:HASH``), so a copy that was
    truncated, rolled back or restored from an older backup can be told apart from the
    live chain: the head is copied with the data, the anchor is not."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``SEQ:HASH`` with a decimal sequence number and 64 hex digits; ``ValueError``."""
        seq, sep, digest = text.strip().partition(":")
        if not sep or not seq.isascii() or not seq.isdigit() or len(seq) > 18:
            raise ValueError("an anchor is SEQ:HASH, e.g. 42:3f9a...")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise ValueError("the hash of an anchor is 64 hexadecimal digits")
        return cls(int(seq), digest.lower())


def anchor(session: Session) -> Anchor:
    """The chain's current head as an anchor to keep elsewhere."""
    head = session.get(AuditHead, 1)
    return Anchor(0, GENESIS) if head is None else Anchor(head.seq, head.hash)


def _events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session, anchor: Anchor | None = None) -> ChainReport:
    """Walk the chain in order; report the first event whose link does not hold.

    Detects edited rows (hash mismatch), deleted or inserted rows (sequence gap or wrong
    ``prev_hash``) and a truncated tail (the head points past the last event). With an
    ``anchor`` kept elsewhere, also a copy that ends before the anchor (older or truncated
    together with its head) or that holds another event at the anchor's position.
    """
    prev, expected_seq, checked = GENESIS, 1, 0
    last_at: datetime | None = None
    anchored: str | None = GENESIS if anchor is not None and anchor.seq == 0 else None
    at = anchor.seq if anchor is not None else None

    def broken(seq: int, problem: str) -> ChainReport:
        return ChainReport(False, checked, seq, PROBLEMS[problem], problem, last_at, at)

    for event in _events(session):
        if event.seq != expected_seq:
            return broken(expected_seq, "missing")
        if event.prev_hash != prev:
            return broken(event.seq, "broken_link")
        if _link(prev, event) != event.hash:
            return broken(event.seq, "changed")
        if anchor is not None and event.seq == anchor.seq:
            anchored = event.hash
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last_at = event.occurred_at
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return broken(checked + 1, "truncated")
    if anchor is not None and anchored is None:
        return broken(checked + 1, "before_anchor")
    if anchor is not None and anchored != anchor.hash:
        return broken(anchor.seq, "anchor_differs")
    return ChainReport(True, checked, last_intact_at=last_at, anchor_seq=at)
