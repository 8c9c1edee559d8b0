"""Links the pages repeat, built with ``url_for`` once per application root instead of once
per use: ``url_for`` costs about 20 µs, and a case page names some thirty links (the staff
menu, then one form per action of the case). The routes stay the only source of every URL:
each cached one is ``url_for``'s own answer, and a case's link is the URL ``url_for`` built
for a placeholder reference with the real reference put in its place, for references made of
characters no URL quoting changes (anything else goes to ``url_for`` itself).
docs/architecture.md, "What a page repeats is built once"."""

from __future__ import annotations

import re

from flask import current_app, request, url_for

_MARK = "0dsrreference0"
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")  # unreserved: quoted by nobody, so put in as they are
_CACHE = "dsr_url_cache"


def _cache() -> dict[tuple[str, str], tuple[str, str]]:
    found: dict[tuple[str, str], tuple[str, str]] = current_app.extensions.setdefault(_CACHE, {})
    return found


def menu_link(endpoint: str) -> str:
    """``url_for(endpoint)`` of an endpoint without arguments, from the cache."""
    cache, key = _cache(), (request.script_root, endpoint)
    found = cache.get(key)
    if found is None:
        found = cache[key] = (url_for(endpoint), "")
    return found[0]


def case_link(endpoint: str, reference: str) -> str:
    """``url_for(endpoint, reference=reference)``, from the cache when the reference is
    plain (``R000000998``, ``DSR-2026-0001``)."""
    if not _PLAIN.fullmatch(reference):
        return url_for(endpoint, reference=reference)
    cache, key = _cache(), (request.script_root, "reference " + endpoint)
    parts = cache.get(key)
    if parts is None:
        head, mark, tail = url_for(endpoint, reference=_MARK).partition(_MARK)
        if not mark:  # the reference is not in the path: nothing to put in
            return url_for(endpoint, reference=reference)
        parts = cache[key] = (head, tail)
    return parts[0] + reference + parts[1]
