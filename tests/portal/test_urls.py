"""The cached links (portal/urls.py) are ``url_for``'s own answers: for every endpoint the
staff menu and the case page name, with and without an application root, for plain
references and for ones URL quoting changes."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, url_for

from portal.urls import case_link, menu_link

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _named(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_cached_links_are_url_for_s_own(app: Flask) -> None:
    menu = _named(r"menu_link\('([a-z_.]+)'\)")
    cases = _named(r"case_link\('([a-z_.]+)',")
    assert {"staff.queue", "auth.account"} <= menu and {"staff.assign", "staff.case"} <= cases
    references = ["R000000998", "DSR-2026-0001", "a b/c", "é", "x?y#z"]
    for root in ("", "/portal"):
        for _ in range(2):  # the first time builds, the second reads the cache
            with app.test_request_context("/", base_url=f"http://localhost{root}/"):
                for endpoint in menu:
                    assert menu_link(endpoint) == url_for(endpoint)
                for endpoint in cases:
                    for ref in references:
                        assert case_link(endpoint, ref) == url_for(endpoint, reference=ref)
    with app.test_request_context("/", base_url="http://localhost/portal/"):
        assert case_link("staff.case", "R1").startswith("/portal/")
