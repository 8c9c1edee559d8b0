"""The scheduled jobs, in one literal registry: the worker runs every entry on every pass,
each in its own transaction, whatever was imported before. A job takes the ``Context`` of
its pass and returns how many things it did; it flushes, the worker commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from types import MappingProxyType

from sqlalchemy import select

from operations import callbacks, cases, forwarding, incidents
from operations.context import Context
from rights import audit
from rights.deadlines import AMSTERDAM, local_date
from rights.intake import close_unverified as close_unverified_requests
from rights.models.audit import AuditEvent
from rights.outbox import queue_mail
from rights.packages import purge_expired
from rights.reminders import send_reminders
from rights.sources.ingest import purge_expired_files

Job = Callable[[Context], int]


def close_unverified(ctx: Context) -> int:
    """Requests unconfirmed after ``policy.unverified_auto_close_days`` close with a notice."""
    return close_unverified_requests(ctx.session, now=ctx.now(), policy=ctx.policy)


def purge_data_files(ctx: Context) -> int:
    """Uploaded data files past their retention date are deleted with their records."""
    return purge_expired_files(ctx.session, now=ctx.now())


def purge_packages(ctx: Context) -> int:
    """The files of expired packages are deleted (the rows, checksums and audit stay)."""
    return purge_expired(ctx.session, ctx.package_store(), now=ctx.now())


def reminders(ctx: Context) -> int:
    """The daily digest and escalations, once the Amsterdam clock passed the reminder hour
    (``send_reminders`` itself sends once a day)."""
    now = ctx.now()
    if now.astimezone(AMSTERDAM).hour < ctx.settings.reminder_hour:
        return 0
    return send_reminders(ctx.session, now=now)


def finished_case_documents(ctx: Context) -> int:
    """Identity material of finished cases goes (docs/legal.md, "Case retention")."""
    return cases.delete_finished_case_documents(ctx)


def case_purge(ctx: Context) -> int:
    """Finished cases past ``policy.case_retention_days`` lose their personal data."""
    return cases.purge_cases(ctx).requests


def identity_unanswered(ctx: Context) -> int:
    """Requests whose identity question was not answered in time close with a notice."""
    return cases.close_unanswered_identity(ctx)


def forward_reminders(ctx: Context) -> int:
    """Forwards without a controller decision: a reminder to the designated contacts, then
    an escalation to the officers (docs/controllers.md, "Forwarding")."""
    return forwarding.send_forward_reminders(ctx)


def opendsr_callbacks(ctx: Context) -> int:
    """Status callbacks owed to controllers' systems are posted, signed (docs/api.md,
    "Callbacks"). Commits its own steps: no transaction is held over a network call."""
    return callbacks.deliver_due(ctx)


def incident_clocks(ctx: Context) -> int:
    """Incident clocks about to run out: a reminder to the officers; run out: an escalation
    to officers and admins (docs/incidents.md, "The clocks")."""
    return incidents.send_clock_mails(ctx)


ANCHOR_MAILED = "audit.anchor_mailed"


def audit_anchor_mail(ctx: Context) -> int:
    """Once an Amsterdam day, the audit chain's head (``SEQ:HASH``, as ``dsr-portal audit
    anchor`` prints it) goes to ``PORTAL_AUDIT_ANCHOR_EMAIL``, so a copy of the database
    that is older or truncated fails ``audit verify --anchor`` (docs/operations.md,
    "Audit anchors")."""
    to = str(ctx.settings.extra.get("AUDIT_ANCHOR_EMAIL") or "")
    now = ctx.now()
    start = datetime.combine(local_date(now), time(0), AMSTERDAM)
    if not to or ctx.session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.action == ANCHOR_MAILED, AuditEvent.occurred_at >= start)
        .limit(1)
    ):
        return 0
    head = audit.anchor(ctx.session)
    context = {"anchor": str(head), "seq": head.seq}
    queue_mail(ctx.session, to=to, template="audit_anchor", language="nl", now=now, context=context)
    audit.record(ctx.session, ANCHOR_MAILED, actor=ctx.actor, now=now, data={"seq": head.seq})
    return 1


JOBS: Mapping[str, Job] = MappingProxyType(
    {
        "close_unverified": close_unverified,
        "purge_data_files": purge_data_files,
        "purge_packages": purge_packages,
        "reminders": reminders,
        "finished_case_documents": finished_case_documents,
        "case_purge": case_purge,
        "identity_unanswered": identity_unanswered,
        "forward_reminders": forward_reminders,
        "audit_anchor_mail": audit_anchor_mail,
        "opendsr_callbacks": opendsr_callbacks,
        "incident_clocks": incident_clocks,
    }
)
