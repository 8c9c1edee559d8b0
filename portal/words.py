"""Words for codes, looked up once per language instead of once per use.

A page of 50 queue rows asks for a state, a right and the review flags of every row; through
lazy strings that is a catalogue look-up per cell. ``per_locale`` turns a table of lazy
strings into plain strings once per language and keeps the result for the process (the
catalogues do not change while it runs)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, get_timezone

from portal.i18n import current_locale
from rights.deadlines import AMSTERDAM


def per_locale(texts: Mapping[str, object]) -> Callable[[], dict[str, str]]:
    """A function that gives ``texts`` translated into the current request's language."""
    cache: dict[str, dict[str, str]] = {}

    def translated() -> dict[str, str]:
        locale = str(current_locale())
        found = cache.get(locale)
        if found is None:
            found = cache[locale] = {str(code): str(text) for code, text in texts.items()}
        return found

    return translated


# Babel's formatting is a pure function of the value, the pattern, the locale and the time
# zone, and costs about 0.1 ms; a timeline repeats the same instants and days. Keyed on all
# four, so the cache gives exactly what Babel gives (tests/portal/test_i18n_fast.py).
@functools.lru_cache(maxsize=8192)
def formatted(value: date, fmt: str, locale: Any, zone: Any) -> str:
    if isinstance(value, datetime):
        return str(format_datetime(value, fmt))
    return str(format_date(value, fmt))


def local(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
    """Amsterdam time; with a clock time the zone is named (``11:00 CET``)."""
    if value is None:
        return ""
    moment = value.astimezone(AMSTERDAM)
    text = formatted(moment, fmt, current_locale(), get_timezone())
    return f"{text} {moment.tzname()}" if "HH" in fmt else text


class LanguageTable(Mapping[str, str]):
    """A Flask-free label table ``{code: {"nl": ..., "en": ...}}`` (exporters.labels) read
    in the current request's language, so the pages and the package share one table."""

    def __init__(self, table: Mapping[str, Mapping[str, str]]) -> None:
        self._table = table

    def __getitem__(self, code: str) -> str:
        entry = self._table[code]
        language = str(current_locale() or "nl")[:2]
        return entry.get(language, entry["nl"])

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)
