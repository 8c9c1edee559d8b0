"""The blank request form, rendered once per kind of visit (issue 17).

A GET of the form shows the same bytes to every anonymous visitor with the same language,
address (the language links carry it) and chosen organisation, apart from the CSRF token
and the new form key. So the first such GET renders the template as always and keeps the
page split around those two values; later ones fill in a fresh token and key (escaped as
the template escapes them) without building a form or running Jinja. Not kept: a page for a
logged-in user (the footer's logout form and navigation), a page while flashed messages
wait (the template shows and removes them), a page where the token or key is not found
exactly once, and every POST (a 422 re-render with errors). ``tests/public/
test_blank_form.py`` proves a kept page equals a fresh render in Dutch and English.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request, session
from flask_login import current_user
from markupsafe import escape

from portal.csrf import generate_csrf
from portal.i18n import current_locale
from portal.public.forms import new_form_key
from portal.public.start import Choice

PAGES_KEPT = 64
Parts = tuple[str, str, str]


class BlankPages:
    """The most recently used ``PAGES_KEPT`` pages, each split around the token and key."""

    def __init__(self, size: int = PAGES_KEPT) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, Parts] = OrderedDict()

    def get(self, key: Hashable) -> Parts | None:
        with self._lock:
            parts = self._pages.get(key)
            if parts is not None:
                self._pages.move_to_end(key)
            return parts

    def put(self, key: Hashable, parts: Parts) -> None:
        with self._lock:
            self._pages[key] = parts
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def _pages() -> BlankPages:
    pages: BlankPages | None = current_app.extensions.get("dsr_blank_forms")
    if pages is None:
        pages = current_app.extensions.setdefault("dsr_blank_forms", BlankPages())
    return pages


def visit_key(choice: Choice) -> Hashable | None:
    """What the blank page depends on, or None when it must be rendered afresh."""
    if current_user.is_authenticated or "_flashes" in session:
        return None
    return (
        str(current_locale()),
        request.full_path,
        choice.org,
        choice.organisation,
        choice.rights,
    )


def split(page: str, token: str, form_key: str) -> Parts | None:
    """The page around the token and then the key, or None unless each is there once."""
    token_html, key_html = str(escape(token)), str(escape(form_key))
    if page.count(token_html) != 1 or page.count(key_html) != 1:
        return None
    before, rest = page.split(token_html)
    if key_html not in rest:
        return None
    middle, after = rest.split(key_html)
    return before, middle, after


def blank_page(choice: Choice, render: Callable[[str], str]) -> str:
    """The form page for a GET: ``render(form_key)`` renders the template."""
    token, form_key = generate_csrf(), new_form_key()
    key = visit_key(choice)
    if key is None:
        return render(form_key)
    parts = _pages().get(key)
    if parts is None:
        page = render(form_key)
        found = split(page, token, form_key)
        if found is not None:
            _pages().put(key, found)
        return page
    before, middle, after = parts
    return f"{before}{escape(token)}{middle}{escape(form_key)}{after}"
