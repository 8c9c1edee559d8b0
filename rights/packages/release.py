"""Delivery rules of a stored package (issue 8, docs/security.md, "Encryption at rest and the
keyring").

- Four eyes: the officer who prepared a package cannot release or re-issue it.
- A request package of a controller's request is released only with the approval of the
  controller's designated contact (docs/controllers.md, "Approvals and the gate"), unless
  the controller answers the subject itself: then it is released to the controller only,
  and :func:`subject_packages` does not offer it to the subject (P-4); a link the subject
  already had is refused (:func:`refuse_subject_download`, audited).
- Revoke and re-issue bump ``link_generation``, so earlier download links stop working;
  re-issuing does not rebuild.
- A package expires (default 30 days) and the purge deletes its file; the row and the audit
  keep that it existed and its checksum.

Every status change goes through ``rules.PACKAGE_STATUS``; release and re-issue both lead to
RELEASED, so each also says which statuses it starts from.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.controllers.approvals import current_package_decision, package_approved
from rights.controllers.authority import answers_itself, controller_of
from rights.errors import Gone, InvalidTransition, PermissionDenied
from rights.models.controller import DecisionKind
from rights.models.org import Organisation
from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RightsRequest
from rights.outbox import queue_mail
from rights.packages.rules import burn_codes, downloadable, set_status, user_id_of
from rights.packages.store import PackageStore

RELEASE_FROM = frozenset({PackageStatus.BUILT})
REISSUE_FROM = frozenset({PackageStatus.REVOKED, PackageStatus.RELEASED})


def _four_eyes(package: Package, actor: Actor) -> int:
    user_id = user_id_of(actor)
    if user_id is None:
        raise PermissionDenied("only an officer can release a package", code="not_an_officer")
    if package.prepared_by_id == user_id:
        raise PermissionDenied(
            "a second officer must release the package (four eyes)", code="four_eyes"
        )
    return user_id


def package_hold(session: Session, package: Package) -> str | None:
    """What keeps a built request package from being released now on the controller's side:
    ``controller_rejected`` (its contact rejected this package), ``controller_approval`` (not
    yet approved as built), or ``None`` (approved, the controller answers the subject itself,
    a return package, or the operator's own request). The approvals list and the staff
    package page show a held package as waiting for the controller; the release refuses it."""
    if package.kind != PackageKind.REQUEST or package.request_id is None:
        return None
    request = session.get(RightsRequest, package.request_id)
    if request is None or controller_of(request) is None or answers_itself(request):
        return None
    if package_approved(session, package):
        return None
    decision = current_package_decision(session, package)
    if decision is not None and decision.kind is DecisionKind.REJECT:
        return "controller_rejected"
    return "controller_approval"


def _controller_approved(session: Session, package: Package) -> None:
    if package_hold(session, package) is not None:
        raise PermissionDenied(
            "The controller has not approved this package.", code="controller_approval"
        )


def _not_expired(package: Package, now: datetime) -> None:
    if package.status is PackageStatus.PURGED or now >= package.expires_at:
        raise Gone("the package has expired; build a new one", code="package_expired")


def release_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Four eyes: a second officer releases a built package to the subject (flushes)."""
    user_id = _four_eyes(package, actor)
    _not_expired(package, now)
    _controller_approved(session, package)
    if package.status not in RELEASE_FROM:
        raise InvalidTransition("only a built package can be released", code="not_built")
    set_status(package, PackageStatus.RELEASED)
    package.released_by_id = user_id
    package.released_at = now
    session.flush()
    _audit(session, package, "package.released", actor, now)
    _mail_ready(session, package, now)


def _mail_ready(session: Session, package: Package, now: datetime) -> None:
    """The subject (or their representative) is told the package can be downloaded; the
    mail carries no data, only the way to the status page (docs/package.md, "Mails")."""
    request = package.request
    if package.kind != PackageKind.REQUEST or request is None or not request.requester_email:
        return
    if answers_itself(request) is not None:  # released to the controller only (P-4)
        return
    queue_mail(
        session,
        to=request.requester_email,
        template="package_ready",
        language=request.language,
        now=now,
        request_id=request.id,
        context={"package_id": package.id},
    )


def revoke_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Withdraw every link at once; the file stays until it expires, so it can be re-issued."""
    set_status(package, PackageStatus.REVOKED)
    package.revoked_at = now
    package.link_generation += 1
    burn_codes(session, package, now)
    session.flush()
    _audit(session, package, "package.revoked", actor, now)


def reissue_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Release a revoked (or rotate a released) package again, with new links and without
    rebuilding. Four eyes as for the first release."""
    user_id = _four_eyes(package, actor)
    _not_expired(package, now)
    _controller_approved(session, package)
    if package.status not in REISSUE_FROM:
        raise InvalidTransition(
            "only a revoked or released package can be re-issued", code="not_released"
        )
    set_status(package, PackageStatus.RELEASED)
    package.released_by_id = user_id
    package.released_at = now
    package.revoked_at = None
    package.link_generation += 1
    burn_codes(session, package, now)
    session.flush()
    _audit(session, package, "package.reissued", actor, now)


def purge_expired(session: Session, store: PackageStore, *, now: datetime) -> int:
    """Delete the files of expired packages; the rows keep checksum and history (flushes)."""
    due = session.scalars(
        select(Package)
        .where(Package.status != PackageStatus.PURGED, Package.expires_at <= now)
        .order_by(Package.id)
    ).all()
    for package in due:
        store.remove(package)
        set_status(package, PackageStatus.PURGED)
        package.purged_at = now
        package.link_generation += 1
        session.flush()
        _audit(session, package, "package.purged", audit.SYSTEM, now)
    return len(due)


def _audit(session: Session, package: Package, action: str, actor: Actor, now: datetime) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=_audit_data(package, status=package.status.value),
    )


def _audit_data(package: Package, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"sha256": package.sha256, **extra}
    if package.kind == PackageKind.RETURN:
        data.update(kind=PackageKind.RETURN.value, organisation_id=package.organisation_id)
    return data


def released_packages(session: Session, request: RightsRequest, now: datetime) -> list[Package]:
    """The released, unexpired packages of the request, newest first (the subject's status
    page uses :func:`subject_packages`)."""
    return list(session.scalars(_released_statement(), {"rid": request.id, "now": now}))


@functools.cache
def _released_statement() -> Any:
    """Built once: the subject's status page asks on every visit."""
    return (
        select(Package)
        .where(
            Package.kind == PackageKind.REQUEST,
            Package.request_id == bindparam("rid"),
            Package.status == PackageStatus.RELEASED,
            Package.expires_at > bindparam("now", type_=Package.expires_at.type),
        )
        .order_by(Package.released_at.desc(), Package.id.desc())
    )


def subject_packages(session: Session, request: RightsRequest, now: datetime) -> list[Package]:
    """What the subject's status page offers: the released packages, except when the
    controller answers the subject itself (they went to the controller only, P-4)."""
    if answers_itself(request) is not None:
        return []
    return released_packages(session, request, now)


def refuse_subject_download(
    session: Session, package: Package, *, now: datetime
) -> Organisation | None:
    """A subject's download link of a package whose controller answers the subject itself
    (a link mailed or shown before that was decided): the controller to contact, after the
    refusal is audited (``package.download_refused``, flushes); ``None`` when the subject
    may download."""
    request = package.request
    controller = answers_itself(request) if request is not None else None
    if controller is None:
        return None
    audit.record(
        session,
        "package.download_refused",
        actor=Actor.subject(),
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=_audit_data(package, reason="controller_answers", organisation_id=controller.id),
    )
    return controller


def record_download(
    session: Session, package: Package, *, actor: Actor, now: datetime, via: str
) -> None:
    """Count and audit one download (``via``: ``subject`` or ``controller``)."""
    downloadable(package, now)
    package.download_count += 1
    package.last_downloaded_at = now
    session.flush()
    audit.record(
        session,
        "package.downloaded",
        actor=actor,
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=_audit_data(package, via=via, count=package.download_count),
    )
