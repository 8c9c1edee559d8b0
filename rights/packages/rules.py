"""What every package operation shares: the package status as a transition table, who
counts as the officer acting, when a package may be downloaded, and the codes that die
with a link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import Actor
from rights.errors import Gone
from rights.models.package import DownloadCode, Package, PackageStatus
from rights.transitions import TransitionTable

S = PackageStatus

# Built waits for a second officer; released can be rotated (re-issued with new links) or
# revoked; revoked can be re-issued; anything not yet purged is purged once it expires.
# EXPIRED is kept for rows that carry it; nothing moves a package there any more (expiry
# is ``expires_at``, and the purge goes straight to PURGED).
PACKAGE_STATUS: TransitionTable[PackageStatus] = TransitionTable(
    "package",
    {
        S.BUILT: frozenset({S.RELEASED, S.REVOKED, S.PURGED}),
        S.RELEASED: frozenset({S.RELEASED, S.REVOKED, S.PURGED}),
        S.REVOKED: frozenset({S.RELEASED, S.PURGED}),
        S.EXPIRED: frozenset({S.PURGED}),
        S.PURGED: frozenset(),
    },
)


def set_status(package: Package, target: PackageStatus) -> None:
    """The one way a package's status changes; ``InvalidTransition`` (409) otherwise."""
    package.status = PACKAGE_STATUS.move(package.status, target)


def user_id_of(actor: Actor) -> int | None:
    return actor.id if actor.kind == "user" else None


def downloadable(package: Package, now: datetime) -> None:
    """Raise ``Gone`` unless the package may be downloaded right now."""
    if package.is_gone(now):
        code = "package_revoked" if package.status is PackageStatus.REVOKED else "package_expired"
        raise Gone("this package is no longer available", code=code)


def burn_codes(session: Session, package: Package, now: datetime) -> None:
    """Codes asked for through an earlier link die with it."""
    for code in session.scalars(
        select(DownloadCode).where(
            DownloadCode.package_id == package.id, DownloadCode.used_at.is_(None)
        )
    ):
        code.used_at = now
