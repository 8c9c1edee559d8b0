"""The controller portal's lists: the requests of the controller's own organisation, and
its released packages and return-of-data exports, never another organisation's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RightsRequest

LIMIT = 200


@dataclass(frozen=True)
class ControllerPackages:
    packages: Sequence[Package]  # answers to the organisation's requests
    returns: Sequence[Package]  # return-of-data exports (Art. 28(3)(g) GDPR)


def controller_requests(
    session: Session, organisation_id: int | None, limit: int = LIMIT
) -> Sequence[RightsRequest]:
    """The organisation's requests, soonest due first."""
    stmt = (
        select(RightsRequest)
        .where(RightsRequest.organisation_id == organisation_id)
        .order_by(RightsRequest.due, RightsRequest.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


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
