"""The package status as data: every pair of statuses is either a move the table allows
or an ``InvalidTransition`` (409), and the delivery operations go through the table."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rights import crypto, packages
from rights.audit import Actor
from rights.errors import InvalidTransition
from rights.models import AuditEvent, Package, PackageStatus, Role
from rights.packages.rules import PACKAGE_STATUS

S = PackageStatus
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

ALLOWED = {
    (S.BUILT, S.RELEASED),
    (S.BUILT, S.REVOKED),
    (S.BUILT, S.PURGED),
    (S.RELEASED, S.RELEASED),  # re-issued with new links
    (S.RELEASED, S.REVOKED),
    (S.RELEASED, S.PURGED),
    (S.REVOKED, S.RELEASED),
    (S.REVOKED, S.PURGED),
    (S.EXPIRED, S.PURGED),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_is_allowed_or_raises(current, target):
    if (current, target) in ALLOWED:
        assert PACKAGE_STATUS.move(current, target) is target
        return
    with pytest.raises(InvalidTransition) as err:
        PACKAGE_STATUS.move(current, target)
    assert err.value.http_status == 409
    assert err.value.params == {"current": current.value, "target": target.value}


def test_purged_is_final():
    assert PACKAGE_STATUS.final(S.PURGED)
    assert not any(PACKAGE_STATUS.final(s) for s in S if s is not S.PURGED)


@pytest.fixture
def store(tmp_path: Path) -> packages.PackageStore:
    return packages.PackageStore(
        root=tmp_path / "pkgs", key=crypto.parse_key(crypto.generate_key())
    )


@pytest.fixture
def package(db_session, make_request, store, make_user) -> tuple[Package, Actor, Actor]:
    preparer, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    pkg = packages.store_package(
        db_session,
        store,
        make_request(),
        lambda out: out.write(b"PK\x03\x04zip"),
        formats=["json"],
        language="nl",
        actor=Actor.user(preparer.id),
        now=NOW,
    )
    return pkg, Actor.user(preparer.id), Actor.user(second.id)


def _audited(db_session) -> list[str]:
    return list(
        db_session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "package")
            .order_by(AuditEvent.id)
        )
    )


def test_a_revoked_package_cannot_be_revoked_again(db_session, package):
    pkg, _, second = package
    packages.revoke_package(db_session, pkg, actor=second, now=NOW)
    generation = pkg.link_generation
    with pytest.raises(InvalidTransition):
        packages.revoke_package(db_session, pkg, actor=second, now=NOW)
    assert pkg.status is S.REVOKED and pkg.link_generation == generation
    assert _audited(db_session) == ["package.built", "package.revoked"]


def test_release_only_from_built_and_reissue_not_from_built(db_session, package):
    pkg, _, second = package
    with pytest.raises(InvalidTransition) as err:
        packages.reissue_package(db_session, pkg, actor=second, now=NOW)
    assert err.value.code == "not_released" and pkg.status is S.BUILT
    packages.release_package(db_session, pkg, actor=second, now=NOW)
    with pytest.raises(InvalidTransition) as err:
        packages.release_package(db_session, pkg, actor=second, now=NOW)
    assert err.value.code == "not_built" and pkg.status is S.RELEASED
    packages.revoke_package(db_session, pkg, actor=second, now=NOW)
    with pytest.raises(InvalidTransition):
        packages.release_package(db_session, pkg, actor=second, now=NOW)
    assert pkg.status is S.REVOKED
    assert _audited(db_session) == ["package.built", "package.released", "package.revoked"]


def test_a_purged_package_cannot_be_revoked(db_session, package, store):
    pkg, _, second = package
    assert packages.purge_expired(db_session, store, now=pkg.expires_at + timedelta(seconds=1))
    assert pkg.status is S.PURGED
    with pytest.raises(InvalidTransition):
        packages.revoke_package(db_session, pkg, actor=second, now=NOW)
    assert pkg.status is S.PURGED
