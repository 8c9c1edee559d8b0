"""An invalid package status change is a 409 at the edge, and changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from portal.context import context_for
from rights import packages
from rights.audit import Actor
from rights.db import now_utc
from rights.models import AuditEvent, PackageStatus, Role
from tests.helpers import csrf_token


def test_revoking_a_revoked_package_is_409(app, client, db_session, login, make_user, make_request):
    preparer, officer = make_user(Role.OFFICER), make_user(Role.OFFICER)
    req = make_request()
    pkg = packages.store_package(
        db_session,
        context_for(app, db_session).package_store(),
        req,
        lambda out: out.write(b"PK\x03\x04zip"),
        formats=["json"],
        language="nl",
        actor=Actor.user(preparer.id),
        now=now_utc(),
    )
    db_session.commit()
    login(officer)
    page = client.get(f"/staff/requests/{req.reference}/packages/")
    url = f"/staff/requests/{req.reference}/packages/{pkg.id}/revoke"
    assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
    db_session.refresh(pkg)
    generation = pkg.link_generation
    again = client.post(url, data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409
    db_session.refresh(pkg)
    assert pkg.status is PackageStatus.REVOKED and pkg.link_generation == generation
    revoked = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.revoked")
    ).all()
    assert len(revoked) == 1
