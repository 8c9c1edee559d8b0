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


def release_test_package(db_session: Any, request: Any) -> None:
    """A released package row for ``request`` (no file): what an officer releases before a
    "fulfilled" access answer may go out (docs/legal.md)."""
    import secrets
    from datetime import UTC, datetime, timedelta

    from rights.models.package import Package, PackageStatus

    now = datetime.now(UTC)
    db_session.add(
        Package(
            request_id=request.id,
            status=PackageStatus.RELEASED,
            sha256="0" * 64,
            size=1,
            storage_key=secrets.token_urlsafe(24),
            created_at=now,
            released_at=now,
            expires_at=now + timedelta(days=30),
        )
    )
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
