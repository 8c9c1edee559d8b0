"""Queue mail in the business transaction; claim, send and retry it from a worker.

At-least-once delivery (docs/security.md, "Nothing lost"): a mail is only marked sent after the
SMTP server accepted it; a crash in between means it is sent again, never lost.

A mail's status is data (``MAIL_STATUS``): pending until sent, or retried while pending
until it is given up on (dead). Being claimed is a lease on ``next_attempt_at``, not a
status. Sent and dead are final; marking either again raises ``InvalidTransition``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.driversql import RowsInsert
from rights.models.mail import MailStatus, OutboxMail
from rights.transitions import TransitionTable

MAX_ATTEMPTS = 10
# A claimed mail is pushed this far into the future; if the worker dies, it is retried then.
CLAIM_LEASE = timedelta(minutes=5)

MAIL_STATUS: TransitionTable[MailStatus] = TransitionTable(
    "outbox mail",
    {
        # A failed attempt that will be retried stays pending.
        MailStatus.PENDING: frozenset({MailStatus.PENDING, MailStatus.SENT, MailStatus.DEAD}),
        MailStatus.SENT: frozenset(),
        MailStatus.DEAD: frozenset(),
    },
)


def queue_mail(
    session: Session,
    *,
    to: str,
    template: str,
    language: str,
    now: datetime,
    request_id: int | None = None,
    context: dict[str, Any] | None = None,
) -> OutboxMail:
    """Add a mail to the outbox (flushes). ``context`` holds ids and codes, not prose."""
    mail = new_mail(
        session,
        to=to,
        template=template,
        language=language,
        now=now,
        request_id=request_id,
        context=context,
    )
    session.flush()
    return mail


def new_mail(
    session: Session,
    *,
    to: str,
    template: str,
    language: str,
    now: datetime,
    request_id: int | None = None,
    context: dict[str, Any] | None = None,
) -> OutboxMail:
    """``queue_mail`` without the flush: the mail is inserted with the session's next one."""
    mail = OutboxMail(
        to_addr=to,
        template=template,
        language=language,
        context=dict(context or {}),
        request_id=request_id,
        status=MailStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(mail)
    return mail


@dataclass(frozen=True)
class Mail:
    """A mail to queue with ``insert_mails``; ``context`` holds ids and codes, not prose."""

    to: str
    template: str
    language: str
    request_id: int | None = None
    context: dict[str, Any] = field(default_factory=dict)


_MAIL_COLUMNS = (
    "to_addr", "template", "language", "context", "request_id", "status", "attempts",
    "created_at", "next_attempt_at",
)  # fmt: skip
_MAILS_TABLE: Any = OutboxMail.__table__
_INSERT_MAILS = RowsInsert(_MAILS_TABLE, _MAIL_COLUMNS)  # one statement (rights.driversql)


def insert_mails(session: Session, mails: Sequence[Mail], *, now: datetime) -> None:
    """Add mails to the outbox at once, in one INSERT on the session's connection: pending,
    due now, as ``new_mail`` makes them, but without ORM objects (issue 17: the public
    intake queues two mails per request and never reads them back)."""
    rows = [
        {
            "to_addr": mail.to,
            "template": mail.template,
            "language": mail.language,
            "context": dict(mail.context),
            "request_id": mail.request_id,
            "status": MailStatus.PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for mail in mails
    ]
    if rows:
        _INSERT_MAILS.execute(session.connection(), rows)


def claim_due(session: Session, *, now: datetime, limit: int = 20) -> Sequence[OutboxMail]:
    """Claim up to ``limit`` pending mails whose time has come.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers run at once without
    sending the same mail twice; on SQLite the write transaction is already exclusive.
    The lease moves ``next_attempt_at`` forward so a crashed worker's mail comes back.
    """
    stmt = (
        select(OutboxMail)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        # Oldest first: a mail whose lease ran out after a crash goes before newer ones.
        .order_by(OutboxMail.created_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    mails = session.execute(stmt).scalars().all()
    for mail in mails:
        mail.next_attempt_at = now + CLAIM_LEASE
    session.flush()
    return mails


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


# Context keys that hold a secret the mail carries (a one-time code). Once the mail is sent
# or given up on, the row no longer needs it, so it is dropped from the outbox.
SECRET_CONTEXT_KEYS = frozenset({"code"})


def _forget_secrets(mail: OutboxMail) -> None:
    if SECRET_CONTEXT_KEYS & set(mail.context or {}):
        mail.context = {k: v for k, v in mail.context.items() if k not in SECRET_CONTEXT_KEYS}


def mark_sent(mail: OutboxMail, *, now: datetime, message_id: str | None = None) -> None:
    """The SMTP server accepted the mail (``InvalidTransition`` unless it was pending)."""
    mail.status = MAIL_STATUS.move(mail.status, MailStatus.SENT)
    mail.sent_at = now
    mail.attempts += 1
    mail.message_id = message_id
    mail.last_error = None
    _forget_secrets(mail)


def mark_failed(mail: OutboxMail, *, now: datetime, error: str) -> None:
    """Schedule a retry with backoff, or give up after ``MAX_ATTEMPTS``
    (``InvalidTransition`` unless the mail was pending)."""
    attempts = mail.attempts + 1
    target = MailStatus.DEAD if attempts >= MAX_ATTEMPTS else MailStatus.PENDING
    mail.status = MAIL_STATUS.move(mail.status, target)
    mail.attempts = attempts
    mail.last_error = error[:500]
    if target is MailStatus.DEAD:
        _forget_secrets(mail)
    else:
        mail.next_attempt_at = now + backoff(mail.attempts)
