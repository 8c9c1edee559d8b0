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
