"""The controller portal's read side (docs/controllers.md, "The controller portal"): the
verified requests of the controller's own organisation, one request with what the contact
decides on (the matches in their sources, the proposed actions and packages, the decisions
made), and its released packages and return-of-data exports; never another organisation's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from rights.answers import allowed_grounds
from rights.keys import SourceKeys
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.org import Role, User
from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RequestState, RightsRequest
from rights.models.source import (
    ActionStatus,
    DataSource,
    MatchStatus,
    SourceAction,
    SubjectMatch,
)
from rights.sources.matching import match_values

LIMIT = 200
# A request the subject has not confirmed is nobody's business yet (docs/controllers.md).
HIDDEN_STATES = (RequestState.AWAITING_VERIFICATION, RequestState.CLOSED_UNVERIFIED)
BINDING = (DecisionKind.APPROVE, DecisionKind.REJECT)


@dataclass(frozen=True)
class ControllerPackages:
    packages: Sequence[Package]  # answers to the organisation's requests
    returns: Sequence[Package]  # return-of-data exports (Art. 28(3)(g) GDPR)


@dataclass(frozen=True)
class MatchView:
    match: SubjectMatch
    values: dict[str, Any] | None


@dataclass(frozen=True)
class PlanLine:
    """One operation of a plan, for reading: what, on which record (its values when it is
    one of the matches), which fields, and what a retention hold keeps."""

    op: str
    record: dict[str, Any] | None
    where: str
    fields: Sequence[str]
    kept: Sequence[str]
    recipient: str


@dataclass(frozen=True)
class Decided:
    """An action or a package with its current binding decision and its history."""

    item: Any  # SourceAction | Package
    lines: Sequence[PlanLine]
    current: ControllerDecision | None
    history: Sequence[ControllerDecision]


@dataclass(frozen=True)
class ControllerRequestPage:
    req: RightsRequest
    matches: Sequence[MatchView]
    proposed: Sequence[Decided]  # prepared actions on their data
    done: Sequence[Decided]  # executed or failed actions on their data
    packages: Sequence[Decided]  # built packages waiting for their approval
    decisions: Sequence[ControllerDecision]  # on the request as a whole, oldest first
    contacts: Sequence[User]  # the designated contacts: who may decide
    grounds: Sequence[str]  # refusal grounds allowed for this right
    errors: Sequence[tuple[str, str]]  # sources whose values could not be read


def _visible() -> Any:
    return RightsRequest.state.not_in(HIDDEN_STATES)


def controller_requests(
    session: Session, organisation_id: int | None, limit: int = LIMIT
) -> Sequence[RightsRequest]:
    """The organisation's verified requests, soonest due first."""
    stmt = (
        select(RightsRequest)
        .where(RightsRequest.organisation_id == organisation_id, _visible())
        .order_by(RightsRequest.queue_due.is_(None), RightsRequest.due, RightsRequest.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def controller_request(
    session: Session, organisation_id: int | None, reference: str
) -> RightsRequest | None:
    """The organisation's verified request with this reference, or None (also for another
    organisation's or an unconfirmed request: the caller answers 404 for all of them)."""
    if organisation_id is None:
        return None
    stmt = select(RightsRequest).where(
        RightsRequest.reference == reference[:20],
        RightsRequest.organisation_id == organisation_id,
        _visible(),
    )
    return session.scalar(stmt)


def owned_actions(session: Session, req: RightsRequest) -> list[SourceAction]:
    """The request's actions on the controller's own data: on its sources, or on the
    request itself (no source); never on the operator's or another controller's sources."""
    stmt = (
        select(SourceAction)
        .outerjoin(DataSource, SourceAction.source_id == DataSource.id)
        .options(contains_eager(SourceAction.source))
        .where(
            SourceAction.request_id == req.id,
            or_(
                SourceAction.source_id.is_(None), DataSource.organisation_id == req.organisation_id
            ),
        )
        .order_by(SourceAction.id)
    )
    return list(session.scalars(stmt).unique())


def pending_packages(session: Session, req: RightsRequest) -> list[Package]:
    """The request's built packages, waiting for a release (and so for the approval)."""
    stmt = select(Package).where(
        Package.request_id == req.id,
        Package.kind == PackageKind.REQUEST,
        Package.status == PackageStatus.BUILT,
    )
    return list(session.scalars(stmt.order_by(Package.id)))


def _matches(session: Session, req: RightsRequest) -> list[SubjectMatch]:
    stmt = (
        select(SubjectMatch)
        .join(DataSource, SubjectMatch.source_id == DataSource.id)
        .options(contains_eager(SubjectMatch.source))
        .where(
            SubjectMatch.request_id == req.id,
            DataSource.organisation_id == req.organisation_id,
            SubjectMatch.status != MatchStatus.REJECTED,
        )
        .order_by(DataSource.name, SubjectMatch.id)
    )
    return list(session.scalars(stmt))


def _locator(table: Any, pk: Any) -> str:
    return f"{table}:{pk}"


def _match_key(match: SubjectMatch) -> str:
    if "record" in match.locator:
        return _locator("data_record", match.locator["record"])
    return _locator(match.locator.get("table"), match.locator.get("pk"))


def plan_lines(
    plan: Sequence[dict[str, Any]], records: dict[str, dict[str, Any]]
) -> list[PlanLine]:
    """The plan in reading order: each operation with the values of the record it touches
    when that record is one of the shown matches (``records`` by locator)."""
    lines = []
    for op in plan:
        table, fields = op.get("table"), sorted((op.get("set") or {}).keys())
        own_file = table == "data_record"
        lines.append(
            PlanLine(
                op="restrict" if own_file and fields == ["restricted"] else str(op.get("op")),
                record=records.get(_locator(table, op.get("pk"))) if table else None,
                where="" if own_file or not table else str(table),
                fields=[] if own_file and fields == ["restricted"] else fields,
                kept=list(op.get("kept") or []),
                recipient=str(op.get("recipient") or ""),
            )
        )
    return lines


def _decided(item: Any, lines: list[PlanLine], history: list[ControllerDecision]) -> Decided:
    binding = [d for d in history if d.kind in BINDING and d.lapsed_at is None]
    return Decided(item, lines, binding[-1] if binding else None, history)


def designated_contacts(session: Session, organisation_id: int | None) -> Sequence[User]:
    stmt = select(User).where(
        User.organisation_id == organisation_id,
        User.role == Role.CONTROLLER,
        User.designated.is_(True),
        User.active.is_(True),
    )
    return session.scalars(stmt.order_by(User.name, User.id)).all()


def controller_request_page(
    session: Session, req: RightsRequest, *, key: SourceKeys | bytes
) -> ControllerRequestPage:
    """Everything the controller's request page shows; ``key`` opens the SQL sources."""
    matches = _matches(session, req)
    values, errors = match_values(session, matches, key=key)
    records = {_match_key(m): values[m.id] for m in matches if values.get(m.id)}
    decisions = session.scalars(
        select(ControllerDecision)
        .options(selectinload(ControllerDecision.decided_by))
        .where(ControllerDecision.request_id == req.id)
        .order_by(ControllerDecision.decided_at, ControllerDecision.id)
    ).all()
    by_action: dict[int, list[ControllerDecision]] = {}
    by_package: dict[int, list[ControllerDecision]] = {}
    for d in decisions:
        if d.action_id is not None:
            by_action.setdefault(d.action_id, []).append(d)
        elif d.package_id is not None:
            by_package.setdefault(d.package_id, []).append(d)
    actions = [
        _decided(a, plan_lines(a.plan, records), by_action.get(a.id, []))
        for a in owned_actions(session, req)
    ]
    return ControllerRequestPage(
        req=req,
        matches=[MatchView(m, values.get(m.id)) for m in matches],
        proposed=[a for a in actions if a.item.status is ActionStatus.PREPARED],
        done=[a for a in actions if a.item.status is not ActionStatus.PREPARED],
        packages=[
            _decided(p, [], by_package.get(p.id, [])) for p in pending_packages(session, req)
        ],
        decisions=[d for d in decisions if d.action_id is None and d.package_id is None],
        contacts=designated_contacts(session, req.organisation_id),
        grounds=allowed_grounds(req),
        errors=errors,
    )


def controller_packages(
    session: Session, organisation_id: int | None, now: datetime, limit: int = LIMIT
) -> ControllerPackages:
    """Released, unexpired packages the organisation may download, newest first; each
    answer comes with its request in the same query."""
    available = (Package.status == PackageStatus.RELEASED, Package.expires_at > now)
    newest = (Package.released_at.desc(), Package.id.desc())
    answers = (
        select(Package)
        .join(RightsRequest, Package.request_id == RightsRequest.id)
        .options(contains_eager(Package.request))
        .where(RightsRequest.organisation_id == organisation_id, *available)
        .order_by(*newest)
        .limit(limit)
    )
    returns = (
        select(Package)
        .where(
            Package.kind == PackageKind.RETURN,
            Package.organisation_id == organisation_id,
            *available,
        )
        .order_by(*newest)
        .limit(limit)
    )
    return ControllerPackages(
        packages=session.scalars(answers).unique().all(), returns=session.scalars(returns).all()
    )
