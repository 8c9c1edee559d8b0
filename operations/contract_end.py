"""End of contract (Art. 28(3)(g) GDPR; docs/controllers.md, "Results back to the
controller"): after the controller's data were returned, the processor deletes all of it:
every data file (each leaving a ``DataFileDeletion`` of reason ``contract_end``), what the
portal kept of its SQL and other sources (the encrypted connection details, the matches
pointing into them; the sources are deactivated), and its suppression list. Refused while
the organisation has open requests or no released return-of-data export.

``plan_contract_end`` says what would happen (a dry run); ``end_contract`` does it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from operations.context import Context
from rights import audit, lifecycle
from rights.controllers.certificates import (
    CONTRACT_ENDED,
    ContractEndCertificate,
    contract_end_certificate,
)
from rights.controllers.datafiles import DeletionReason, delete_data_file, organisation_files
from rights.errors import Conflict, ValidationFailed
from rights.models.org import Organisation, OrganisationKind
from rights.models.package import Package, PackageKind
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SubjectMatch, SuppressionEntry

__all__ = ["ContractEndPlan", "end_contract", "plan_contract_end"]


@dataclass(frozen=True)
class ContractEndPlan:
    organisation: Organisation
    open_requests: int
    return_package: Package | None  # the latest released return-of-data export
    files: int
    records: int
    suppression_entries: int
    sources: tuple[DataSource, ...]

    @property
    def refusal(self) -> Conflict | None:
        """Why the contract cannot end yet, or None."""
        if self.organisation.contract_ended_at is not None:
            return Conflict("the contract already ended", code="contract_ended")
        if self.open_requests:
            return Conflict("the organisation has open requests", code="open_requests")
        if self.return_package is None:
            return Conflict("no completed return of data", code="no_return_export")
        return None


def plan_contract_end(ctx: Context, organisation: Organisation) -> ContractEndPlan:
    """What ending the contract would delete, and whether it may (changes nothing)."""
    if organisation.kind is not OrganisationKind.CONTROLLER:
        raise ValidationFailed("only a controller's contract ends", code="not_controller")
    session = ctx.session
    open_requests = session.scalar(
        select(func.count())
        .select_from(RightsRequest)
        .where(
            RightsRequest.organisation_id == organisation.id,
            RightsRequest.state.in_(lifecycle.OPEN_STATES),
        )
    )
    returned = session.scalar(
        select(Package)
        .where(
            Package.kind == PackageKind.RETURN,
            Package.organisation_id == organisation.id,
            Package.released_at.is_not(None),
        )
        .order_by(Package.released_at.desc(), Package.id.desc())
        .limit(1)
    )
    files = organisation_files(session, organisation.id)
    suppressed = session.scalar(
        select(func.count())
        .select_from(SuppressionEntry)
        .where(SuppressionEntry.organisation_id == organisation.id)
    )
    sources = session.scalars(
        select(DataSource)
        .where(DataSource.organisation_id == organisation.id)
        .order_by(DataSource.name, DataSource.id)
    ).all()
    return ContractEndPlan(
        organisation=organisation,
        open_requests=int(open_requests or 0),
        return_package=returned,
        files=len(files),
        records=sum(f.row_count for f in files),
        suppression_entries=int(suppressed or 0),
        sources=tuple(sources),
    )


def end_contract(ctx: Context, organisation: Organisation) -> ContractEndCertificate:
    """Delete all of the organisation's data, set ``contract_ended_at``, audit, and return
    the certificate (flushes; the caller commits). Raises the plan's refusal."""
    plan = plan_contract_end(ctx, organisation)
    if plan.refusal is not None:
        raise plan.refusal
    session, now = ctx.session, ctx.now()
    for upload in organisation_files(session, organisation.id):
        delete_data_file(session, upload, DeletionReason.CONTRACT_END, actor=ctx.actor, now=now)
    source_ids = [source.id for source in plan.sources]
    matches = session.scalar(
        select(func.count()).select_from(SubjectMatch).where(SubjectMatch.source_id.in_(source_ids))
    )
    session.execute(delete(SubjectMatch).where(SubjectMatch.source_id.in_(source_ids)))
    for source in plan.sources:
        source.url_enc = None
        source.active = False
        source.updated_at = now
    session.execute(
        delete(SuppressionEntry).where(SuppressionEntry.organisation_id == organisation.id)
    )
    organisation.contract_ended_at = now
    session.flush()
    assert plan.return_package is not None
    audit.record(
        session,
        CONTRACT_ENDED,
        actor=ctx.actor,
        now=now,
        object_type="organisation",
        object_id=organisation.id,
        data={
            "files": plan.files,
            "records": plan.records,
            "suppression_entries": plan.suppression_entries,
            "source_ids": source_ids,
            "matches": int(matches or 0),
            "return_package_id": plan.return_package.id,
        },
    )
    return contract_end_certificate(session, organisation)
