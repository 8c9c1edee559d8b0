"""Four-eyes work waiting for a second officer (issue 6).

Three kinds of item wait for someone other than the officer who prepared them:

* export packages built but not yet released (``Package.status == BUILT``);
* previewed erasures not yet executed (``SourceAction`` ``ERASE`` still ``PREPARED``;
  other prepared actions may be executed by their preparer, so they do not wait here).
  An erasure in a controller's data that the controller has not approved yet cannot be
  executed now: it is listed apart, as waiting for the controller
  (``PendingApproval.waiting``), and not counted; one the controller rejected is left out
  (``rights.actions.gate.controller_hold``);
* the same for a built package of a controller's request: until the controller approved
  it (``rights.packages.package_hold``) it is listed apart as waiting for the controller,
  not counted, and not matched by the queue's filter; one the controller rejected is left
  out;
* Art. 12(5) answer letters (manifestly unfounded/excessive) not yet approved nor sent.

The letter check lives in JSON (``AnswerLetter.extra``). To stay portable to SQLite and
PostgreSQL without JSON operators, :func:`pending_approvals` selects unsent letters and
applies :func:`rights.answers.needs_approval` in Python, and the queue filter
(:func:`pending_clause`) casts ``extra`` to text and matches the quoted keys with LIKE:
``"manifestly"`` present and ``"approved_by"`` absent (approval withdrawal removes the key,
it never sets it to null, so the text test agrees with ``needs_approval``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from rights.actions.gate import controller_hold
from rights.answers import needs_approval
from rights.controllers.authority import owner_of_action
from rights.models.case import AnswerLetter
from rights.models.org import Organisation, OrganisationKind, User
from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, DataSource, SourceAction
from rights.packages.release import package_hold


class ApprovalKind(enum.StrEnum):
    PACKAGE = "package"  # release an export package
    ERASURE = "erasure"  # execute a previewed erasure
    LETTER = "letter"  # approve an Art. 12(5) answer letter
    RETURN_PACKAGE = "return_package"  # release a return-of-data package to a controller


@dataclass(frozen=True)
class PendingApproval:
    kind: ApprovalKind
    object_id: int
    reference: str
    prepared_by_id: int | None
    prepared_by_name: str | None
    prepared_at: datetime
    organisation: str = ""  # a return package: the controller it goes to (no request)
    # An erasure or a package the controller (``organisation``) has not approved yet.
    waiting: bool = False


def _letter_pending_text() -> ColumnElement[bool]:
    text = cast(AnswerLetter.extra, Text)
    return and_(
        AnswerLetter.sent_at.is_(None),
        text.like('%"manifestly"%'),
        text.not_like('%"approved_by"%'),
    )


def pending_clause(session: Session) -> ColumnElement[bool]:
    """True for a :class:`RightsRequest` with anything waiting for a second officer: what
    :func:`pending_approvals` lists as ready, so not an erasure or package that waits for
    the controller (those are found in Python, as the gate finds them, and left out by id)."""
    rr = RightsRequest
    held_actions, held_packages = held_by_controller(session)
    return or_(
        exists().where(
            Package.request_id == rr.id,
            Package.status == PackageStatus.BUILT,
            Package.id.not_in(held_packages),
        ),
        exists().where(
            SourceAction.request_id == rr.id,
            _prepared_erasure(),
            SourceAction.id.not_in(held_actions),
        ),
        exists().where(AnswerLetter.request_id == rr.id, _letter_pending_text()),
    )


def pending_approvals(session: Session) -> list[PendingApproval]:
    """Everything waiting for a second officer, oldest first."""
    names = dict(session.execute(select(User.id, User.name)).all())
    items: list[PendingApproval] = []
    rr = RightsRequest
    for pkg, ref in session.execute(
        select(Package, rr.reference)
        .join(rr, rr.id == Package.request_id)
        .where(Package.status == PackageStatus.BUILT)
    ):
        package_waits = package_hold(session, pkg)
        if package_waits == "controller_rejected":
            continue  # never released: nothing waits for anyone
        items.append(
            PendingApproval(
                ApprovalKind.PACKAGE,
                pkg.id,
                ref,
                pkg.prepared_by_id,
                names.get(pkg.prepared_by_id or 0),
                pkg.created_at,
                organisation=_request_controller(pkg) if package_waits else "",
                waiting=package_waits is not None,
            )
        )
    for action, ref in session.execute(
        select(SourceAction, rr.reference)
        .join(rr, rr.id == SourceAction.request_id)
        .where(_prepared_erasure())
    ):
        hold = controller_hold(session, action)
        if hold == "controller_rejected":
            continue  # never carried out: nothing waits for anyone
        items.append(
            PendingApproval(
                ApprovalKind.ERASURE,
                action.id,
                ref,
                action.prepared_by_id,
                names.get(action.prepared_by_id or 0),
                action.prepared_at,
                organisation=_owner_name(session, action) if hold else "",
                waiting=hold is not None,
            )
        )
    for letter, ref in session.execute(
        select(AnswerLetter, rr.reference)
        .join(rr, rr.id == AnswerLetter.request_id)
        .where(AnswerLetter.sent_at.is_(None))
    ):
        if needs_approval(letter):
            items.append(
                PendingApproval(
                    ApprovalKind.LETTER,
                    letter.id,
                    ref,
                    letter.created_by_id,
                    names.get(letter.created_by_id or 0),
                    letter.updated_at,
                )
            )
    for pkg, org in session.execute(
        select(Package, Organisation.name)
        .join(Organisation, Organisation.id == Package.organisation_id)
        .where(Package.kind == PackageKind.RETURN, Package.status == PackageStatus.BUILT)
    ):
        items.append(
            PendingApproval(
                ApprovalKind.RETURN_PACKAGE,
                pkg.id,
                "",
                pkg.prepared_by_id,
                names.get(pkg.prepared_by_id or 0),
                pkg.created_at,
                organisation=org,
            )
        )
    items.sort(key=lambda i: (i.prepared_at, i.kind, i.object_id))
    return items


def _prepared_erasure() -> ColumnElement[bool]:
    return and_(SourceAction.status == ActionStatus.PREPARED, SourceAction.kind == ActionKind.ERASE)


def _owner_name(session: Session, action: SourceAction) -> str:
    owner = owner_of_action(session, action)
    return owner.name if owner is not None else ""


def _request_controller(package: Package) -> str:
    request = package.request
    organisation = request.organisation if request is not None else None
    return organisation.name if organisation is not None else ""


def _controller_erasures(session: Session) -> list[SourceAction]:
    """The prepared erasures in a controller's data (its source, or the request's controller
    for an erasure without a source): only these can be held by the controller."""
    rr, source, source_org, request_org = (
        RightsRequest,
        aliased(DataSource),
        aliased(Organisation),
        aliased(Organisation),
    )
    controller = OrganisationKind.CONTROLLER
    query = (
        select(SourceAction)
        .join(rr, rr.id == SourceAction.request_id)
        .where(_prepared_erasure())
        .outerjoin(source, source.id == SourceAction.source_id)
        .outerjoin(source_org, source_org.id == source.organisation_id)
        .outerjoin(request_org, request_org.id == rr.organisation_id)
        .where(
            or_(
                source_org.kind == controller,
                and_(SourceAction.source_id.is_(None), request_org.kind == controller),
            )
        )
    )
    return list(session.scalars(query))


def _controller_packages(session: Session) -> list[Package]:
    """The built request packages of a controller's requests: only these can be held."""
    query = (
        select(Package)
        .join(RightsRequest, RightsRequest.id == Package.request_id)
        .join(Organisation, Organisation.id == RightsRequest.organisation_id)
        .where(
            Package.kind == PackageKind.REQUEST,
            Package.status == PackageStatus.BUILT,
            Organisation.kind == OrganisationKind.CONTROLLER,
        )
    )
    return list(session.scalars(query))


def held_by_controller(session: Session) -> tuple[list[int], list[int]]:
    """The ids of the prepared erasures and the built packages that the controller holds
    (not approved yet, or rejected): the second officer cannot act on them now."""
    actions = [a.id for a in _controller_erasures(session) if controller_hold(session, a)]
    packages = [p.id for p in _controller_packages(session) if package_hold(session, p)]
    return actions, packages


def pending_count(session: Session) -> int:
    """How many items :func:`pending_approvals` lists as ready for a second officer, counted
    in the database: this runs on every staff page (the navigation), so the only rows it
    loads are the prepared erasures and built packages of a controller, whose approval is
    checked as the gate and the release check it."""
    return pending_from_counts(session, session.execute(select(*count_columns())).one())


def pending_from_counts(session: Session, counts: Sequence[int | None]) -> int:
    """:func:`pending_count` from the values of :func:`count_columns`, which a page may
    select with its own statement (the case overview) to save the round trip."""
    total = sum(int(n or 0) for n in counts)
    if not total:  # nothing waits: nothing the controller could be holding either
        return 0
    held_actions, held_packages = held_by_controller(session)
    return total - len(held_actions) - len(held_packages)


@functools.cache
def count_columns() -> tuple[Any, ...]:
    """The four counts behind :func:`pending_count`, as scalar subqueries; built once: they
    run on every staff page."""
    rr = RightsRequest
    return (
        select(func.count(Package.id))
        .join(rr, rr.id == Package.request_id)
        .where(Package.status == PackageStatus.BUILT)
        .scalar_subquery(),
        select(func.count(SourceAction.id))
        .join(rr, rr.id == SourceAction.request_id)
        .where(_prepared_erasure())
        .scalar_subquery(),
        select(func.count(AnswerLetter.id))
        .join(rr, rr.id == AnswerLetter.request_id)
        .where(_letter_pending_text())
        .scalar_subquery(),
        select(func.count(Package.id))
        .where(Package.kind == PackageKind.RETURN, Package.status == PackageStatus.BUILT)
        .scalar_subquery(),
    )
