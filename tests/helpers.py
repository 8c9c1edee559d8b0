"""Small helpers for tests that drive the real app."""

from __future__ import annotations

import re
from typing import Any

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(response: Any) -> str:
    html = response.get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, "no csrf_token in page"
    return match.group(1)


def _released_package(db_session: Any, now: Any, **owner: Any) -> None:
    """A released package row without a file, for a request or (a return of data) an
    organisation, given as ``owner``'s columns."""
    import secrets
    from datetime import timedelta

    from rights.models.package import Package, PackageStatus

    db_session.add(
        Package(
            **owner,
            status=PackageStatus.RELEASED,
            sha256="0" * 64,
            size=1,
            storage_key=secrets.token_urlsafe(24),
            created_at=now,
            released_at=now,
            expires_at=now + timedelta(days=30),
        )
    )


def release_test_package(db_session: Any, request: Any) -> None:
    """A released package row for ``request`` (no file): what an officer releases before a
    "fulfilled" access answer may go out (docs/legal.md)."""
    from datetime import UTC, datetime

    _released_package(db_session, datetime.now(UTC), request_id=request.id)
    db_session.commit()


def ops_context(app: Any, session: Any, actor: Any = None, now: Any = None) -> Any:
    """The ``operations.Context`` a command would build for ``app`` (as ``actor``, at a
    frozen ``now`` if given)."""
    from dataclasses import replace

    from portal.context import context_for
    from rights.audit import SYSTEM

    ctx = context_for(app, session, actor or SYSTEM)
    return replace(ctx, clock=lambda: now) if now is not None else ctx


def package_store(app: Any) -> Any:
    """The app's package store, as the Context builds it."""
    return ops_context(app, None).package_store()


def released_return_package(db_session: Any, organisation: Any, now: Any) -> None:
    """A released return-of-data package for ``organisation`` (no file): what the end of
    its contract needs first (docs/controllers.md, "End of contract"). Flushes only."""
    from rights.models.package import PackageKind

    _released_package(db_session, now, kind=PackageKind.RETURN, organisation_id=organisation.id)
    db_session.flush()


def post_registration(client: Any, organisation: Any, **extra: Any) -> Any:
    """The staff registration form posted for a request by post that arrived yesterday
    (Amsterdam time), for ``organisation``; ``extra`` adds or replaces fields."""
    from datetime import UTC, datetime, timedelta

    from rights.deadlines import AMSTERDAM

    page = client.get("/staff/register")
    local = (datetime.now(UTC) - timedelta(days=1)).astimezone(AMSTERDAM)
    data = {
        "csrf_token": csrf_token(page),
        "right": "access",
        "organisation": str(organisation.id),
        "channel": "post",
        "received_date": local.date().isoformat(),
        "received_time": local.strftime("%H:%M"),
        "name": "Mila de Boer",
        "address": "Dorpsstraat 1, 1234 AB Ergens",
        **extra,
    }
    return client.post("/staff/register", data=data, content_type="multipart/form-data")
