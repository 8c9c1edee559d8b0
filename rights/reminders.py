"""Daily reminders so that no deadline is missed: a digest to every active officer (their
own cases first) and an escalation to admins for overdue requests. Runs from the worker
once a day after ``REMINDER_HOUR`` (Amsterdam time) and from ``dsr-portal reminders send``.

The mails carry references, dates and codes only: no names or addresses of subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import SYSTEM
from rights.deadlines import AMSTERDAM, local_date
from rights.models.audit import AuditEvent
from rights.models.org import Role, User
from rights.models.request import RequestState, RightsRequest
from rights.outbox import queue_mail
from rights.users import active_staff

REMINDER_HOUR = 7  # default: the worker sends the digest after this hour, Amsterdam time
DUE_SOON_DAYS = 7
EXTENSION_WINDOW_DAYS = 5  # warn this many days before the last day an extension is possible
NO_ANSWER_DAYS = 7  # a question to the subject unanswered this long


@dataclass
class Digest:
    overdue: list[RightsRequest] = field(default_factory=list)
    due_soon: list[RightsRequest] = field(default_factory=list)
    extension_closing: list[RightsRequest] = field(default_factory=list)
    not_answering: list[RightsRequest] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.extension_closing or self.not_answering)


def build_digest(session: Session, *, now: datetime) -> Digest:
    """Sort every open request into the digest sections (a request may be in several)."""
    today = local_date(now)
    digest = Digest()
    rows = session.scalars(
        select(RightsRequest)
        .where(RightsRequest.queue_due.is_not(None))
        .order_by(RightsRequest.queue_due, RightsRequest.id)
    )
    for r in rows:
        due = r.queue_due
        assert due is not None
        if due < today:
            digest.overdue.append(r)
        elif due <= today + timedelta(days=DUE_SOON_DAYS):
            digest.due_soon.append(r)
        if not r.extended and today <= r.due <= today + timedelta(days=EXTENSION_WINDOW_DAYS):
            digest.extension_closing.append(r)
        if r.state is RequestState.AWAITING_INFORMATION:
            open_q = [s for s in r.suspensions if s.answered_at is None]
            if open_q and local_date(open_q[-1].asked_at) <= today - timedelta(days=NO_ANSWER_DAYS):
                digest.not_answering.append(r)
    return digest


def _line(r: RightsRequest, today_ord: int, mine: bool) -> list[object]:
    return [
        r.reference,
        r.right.value,
        r.queue_due.isoformat() if r.queue_due else "",
        (r.queue_due.toordinal() - today_ord) if r.queue_due else 0,
        mine,
    ]


def _context(digest: Digest, user: User, now: datetime) -> dict[str, object]:
    today_ord = local_date(now).toordinal()

    def section(rows: list[RightsRequest]) -> list[list[object]]:
        lines = [_line(r, today_ord, r.assignee_id == user.id) for r in rows]
        return sorted(lines, key=lambda line: not line[4])  # the recipient's own cases first

    return {
        "day": local_date(now).isoformat(),
        "overdue": section(digest.overdue),
        "due_soon": section(digest.due_soon),
        "extension_closing": section(digest.extension_closing),
        "not_answering": section(digest.not_answering),
    }


def already_sent(session: Session, *, now: datetime) -> bool:
    start = datetime.combine(local_date(now), time(0), AMSTERDAM)
    return (
        session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.action == "reminders.sent", AuditEvent.occurred_at >= start)
            .limit(1)
        )
        is not None
    )


def send_reminders(session: Session, *, now: datetime, force: bool = False) -> int:
    """Queue today's digests and escalations; returns the number of mails queued.
    Does nothing if today's reminders went out already (unless ``force``)."""
    if not force and already_sent(session, now=now):
        return 0
    digest = build_digest(session, now=now)
    staff = active_staff(session)
    queued = 0
    if not digest.empty():
        for user in staff:
            queue_mail(
                session,
                to=user.email,
                template="staff_digest",
                language=user.language,
                now=now,
                context=_context(digest, user, now),
            )
            queued += 1
    if digest.overdue:
        for user in staff:
            if user.role is Role.ADMIN:
                queue_mail(
                    session,
                    to=user.email,
                    template="staff_escalation",
                    language=user.language,
                    now=now,
                    context=_context(Digest(overdue=digest.overdue), user, now),
                )
                queued += 1
    audit.record(
        session,
        "reminders.sent",
        actor=SYSTEM,
        now=now,
        data={
            "mails": queued,
            "overdue": [r.id for r in digest.overdue],
            "due_soon": len(digest.due_soon),
            "extension_closing": len(digest.extension_closing),
            "not_answering": len(digest.not_answering),
        },
    )
    return queued
