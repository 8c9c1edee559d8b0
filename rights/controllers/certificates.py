"""Certificates as data (docs/controllers.md, "Results back to the controller"): what an
executed erasure or rectification did in a controller's data, what a data file's deletion
removed, and what the end of the contract deleted. No personal values: operations, tables,
field names and counts only. ``operations.certificates`` renders them as JSON and PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rights.controllers.datafiles import DeletionReason, file_deletions
from rights.controllers.instructions import instruction_of, is_instruction
from rights.errors import NotFound
from rights.models.api import ApiKey
from rights.models.audit import AuditEvent
from rights.models.controller import ControllerDecision, DataFileDeletion, DecisionKind
from rights.models.org import Organisation, OrganisationKind, User
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, DataSource, SourceAction

__all__ = [
    "CERTIFIED_KINDS",
    "ActionCertificate",
    "ContractEndCertificate",
    "Kept",
    "Operation",
    "action_certificate",
    "certified_actions",
    "contract_end_certificate",
]

CERTIFIED_KINDS = (ActionKind.ERASE, ActionKind.RECTIFY)
CONTRACT_ENDED = "organisation.contract_ended"  # the audit event end_contract writes


@dataclass(frozen=True)
class Operation:
    """What happened to the records of one table: ``deleted``, ``anonymised`` (personal
    fields overwritten, some kept under a hold) or ``corrected`` (a rectification)."""

    table: str
    effect: str
    records: int
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kept:
    """What a retention hold kept, and its legal ground in the source's words."""

    table: str
    records: int
    fields: tuple[str, ...]
    ground: str
    period: str


@dataclass(frozen=True)
class ActionCertificate:
    action_id: int
    kind: ActionKind
    reference: str
    organisation: str
    processor: str
    source: str
    executed_at: datetime
    executed_by: str
    approved_by: str
    approved_at: datetime | None
    instructed: bool  # the approval is the controller's own instruction
    operations: tuple[Operation, ...]
    kept: tuple[Kept, ...]
    backup_rotation: str
    # Who gave that instruction: "contact" (``approved_by``), "api" (the controller's system,
    # with the API key's label and prefix, never the key), or "" for an approval.
    instructed_via: str = ""
    api_key_label: str = ""
    api_key_prefix: str = ""


@dataclass(frozen=True)
class ContractEndCertificate:
    organisation: str
    processor: str
    ended_at: datetime
    deletions: tuple[DataFileDeletion, ...]
    suppression_entries: int
    sources: tuple[str, ...]  # the sources whose stored data and connections were removed


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else ""


def processor_name(session: Session) -> str:
    """The operator's name: the processor that carried it out."""
    name = session.scalar(
        select(Organisation.name)
        .where(Organisation.kind == OrganisationKind.OPERATOR)
        .order_by(Organisation.id)
        .limit(1)
    )
    return name or ""


def _mine(organisation_id: int) -> Any:
    return or_(
        DataSource.organisation_id == organisation_id,
        RightsRequest.organisation_id == organisation_id,
    )


def certified_actions(
    session: Session, organisation_id: int
) -> Sequence[tuple[SourceAction, RightsRequest]]:
    """Executed erasures and rectifications on the organisation's sources or requests,
    newest first, each with its request."""
    stmt = (
        select(SourceAction, RightsRequest)
        .join(RightsRequest, SourceAction.request_id == RightsRequest.id)
        .outerjoin(DataSource, SourceAction.source_id == DataSource.id)
        .where(
            SourceAction.status == ActionStatus.EXECUTED,
            SourceAction.kind.in_(CERTIFIED_KINDS),
            _mine(organisation_id),
        )
        .order_by(SourceAction.executed_at.desc(), SourceAction.id.desc())
    )
    return [(action, request) for action, request in session.execute(stmt).all()]


def _operations(action: SourceAction) -> tuple[Operation, ...]:
    groups: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for op in action.result.get("executed", action.plan):
        if op.get("op") == "delete":
            effect = "deleted"
        elif action.kind is ActionKind.RECTIFY:
            effect = "corrected"
        else:
            effect = "anonymised"
        count, fields = groups.get((op.get("table", ""), effect), (0, set()))
        fields |= set((op.get("set") or {}).keys())
        groups[(op.get("table", ""), effect)] = (count + 1, fields)
    return tuple(
        Operation(table, effect, count, tuple(sorted(fields)))
        for (table, effect), (count, fields) in sorted(groups.items())
    )


def _kept(action: SourceAction) -> tuple[Kept, ...]:
    return tuple(
        Kept(
            table=str(item.get("table", "")),
            records=int(item.get("rows", 0)),
            fields=tuple(str(c) for c in item.get("columns", ())),
            ground=str(item.get("ground", "")),
            period=str(item.get("period", "")),
        )
        for item in action.result.get("kept", ())
    )


def _approval(session: Session, action: SourceAction) -> ControllerDecision | None:
    """The approval the action ran on: the latest APPROVE on it that had not lapsed."""
    return session.scalar(
        select(ControllerDecision)
        .where(
            ControllerDecision.action_id == action.id,
            ControllerDecision.kind == DecisionKind.APPROVE,
            ControllerDecision.lapsed_at.is_(None),
        )
        .order_by(ControllerDecision.decided_at.desc(), ControllerDecision.id.desc())
        .limit(1)
    )


def action_certificate(session: Session, organisation_id: int, action_id: int) -> ActionCertificate:
    """The certificate of one executed erasure or rectification of the organisation;
    ``NotFound`` for anything else (another organisation's, not executed, another kind)."""
    row = session.execute(
        select(SourceAction, RightsRequest)
        .join(RightsRequest, SourceAction.request_id == RightsRequest.id)
        .outerjoin(DataSource, SourceAction.source_id == DataSource.id)
        .where(
            SourceAction.id == action_id,
            SourceAction.status == ActionStatus.EXECUTED,
            SourceAction.kind.in_(CERTIFIED_KINDS),
            _mine(organisation_id),
        )
    ).first()
    if row is None:
        raise NotFound("no such certificate", code="not_found")
    action, request = row
    approval = _approval(session, action)
    instructed = approval is None and is_instruction(request)
    given = (
        instruction_of(session, request, request.organisation)
        if instructed and request.organisation is not None
        else None
    )
    key = session.get(ApiKey, given.api_key_id) if given and given.api_key_id else None
    assert action.executed_at is not None
    return ActionCertificate(
        action_id=action.id,
        kind=action.kind,
        reference=request.reference,
        organisation=request.organisation.name if request.organisation else "",
        processor=processor_name(session),
        source=action.source.name if action.source else "",
        executed_at=action.executed_at,
        executed_by=_name(session, action.executed_by_id),
        approved_by=_name(
            session, approval.decided_by_id if approval else request.instructed_by_id
        ),
        approved_at=approval.decided_at
        if approval
        else (request.created_at if instructed else None),
        instructed=instructed,
        instructed_via=given.via if given is not None else "",
        api_key_label=key.label if key is not None else "",
        api_key_prefix=given.api_key_prefix if given is not None else "",
        operations=_operations(action),
        kept=_kept(action),
        backup_rotation=str(action.result.get("backup_rotation") or ""),
    )


def contract_end_certificate(
    session: Session, organisation: Organisation
) -> ContractEndCertificate:
    """What the end of the contract deleted; ``NotFound`` while the contract has not ended."""
    if organisation.contract_ended_at is None:
        raise NotFound("the contract has not ended", code="not_found")
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == CONTRACT_ENDED,
            AuditEvent.object_type == "organisation",
            AuditEvent.object_id == organisation.id,
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    data = event.data if event is not None else {}
    return ContractEndCertificate(
        organisation=organisation.name,
        processor=processor_name(session),
        ended_at=organisation.contract_ended_at,
        deletions=tuple(file_deletions(session, organisation.id, DeletionReason.CONTRACT_END)),
        suppression_entries=int(data.get("suppression_entries", 0)),
        sources=tuple(
            session.scalars(
                select(DataSource.name)
                .where(DataSource.id.in_([int(i) for i in data.get("source_ids", ())]))
                .order_by(DataSource.name)
            )
        ),
    )
