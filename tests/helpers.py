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
