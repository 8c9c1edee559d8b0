"""Use cases that keep finished cases lawful (docs/legal.md): identity material goes when a
case is finished, personal data go after the case retention period, and requests whose
identity question was never answered are closed. The worker and ``dsr-portal cases`` call
these with a Context."""

from __future__ import annotations

from operations.context import Context
from rights import retention, unanswered
from rights.retention import PurgeReport


def delete_finished_case_documents(ctx: Context) -> int:
    """ID copies, mandates and evidence of every finished case (flushes)."""
    return retention.delete_finished_case_documents(
        ctx.session, ctx.document_store(), actor=ctx.actor, now=ctx.now()
    )


def purge_cases(ctx: Context, *, dry_run: bool = False) -> PurgeReport:
    """Finished cases older than ``policy.case_retention_days`` lose their personal data
    (``dry_run``: only count what would go)."""
    return retention.purge_cases(
        ctx.session,
        ctx.document_store(),
        actor=ctx.actor,
        now=ctx.now(),
        days=ctx.policy.case_retention_days,
        dry_run=dry_run,
    )


def close_unanswered_identity(ctx: Context) -> int:
    """Requests whose identity question stayed unanswered close with a notice."""
    return unanswered.close_unanswered_identity(ctx.session, now=ctx.now(), policy=ctx.policy)
