"""Words for codes, looked up once per language instead of once per use.

A page of 50 queue rows asks for a state, a right and the review flags of every row; through
lazy strings that is a catalogue look-up per cell. ``per_locale`` turns a table of lazy
strings into plain strings once per language and keeps the result for the process (the
catalogues do not change while it runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from flask_babel import get_locale


def per_locale(texts: Mapping[str, object]) -> Callable[[], dict[str, str]]:
    """A function that gives ``texts`` translated into the current request's language."""
    cache: dict[str, dict[str, str]] = {}

    def translated() -> dict[str, str]:
        locale = str(get_locale())
        found = cache.get(locale)
        if found is None:
            found = cache[locale] = {str(code): str(text) for code, text in texts.items()}
        return found

    return translated


class LanguageTable(Mapping[str, str]):
    """A Flask-free label table ``{code: {"nl": ..., "en": ...}}`` (exporters.labels) read
    in the current request's language, so the pages and the package share one table."""

    def __init__(self, table: Mapping[str, Mapping[str, str]]) -> None:
        self._table = table

    def __getitem__(self, code: str) -> str:
        entry = self._table[code]
        language = str(get_locale() or "nl")[:2]
        return entry.get(language, entry["nl"])

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)
