"""The glossary check: does a text a person reads contain codes or words of the wrong language?

``problems(text, language)`` reads an HTML page (or, with ``html=False``, a plain text such
as a mail or a letter) the way a reader does: the visible text and the attributes people
read (``alt``, ``title``, ``aria-label``, ``placeholder``), without scripts, styles and
``<code>``. It reports

- ``code``: a ``word.word`` outside URLs, e-mail addresses, domain names and file names
  (``package.built``, ``sources.match_confirmed``);
- ``snake_case``: ``legal_obligation``, ``customer_no``;
- ``enum``: in Dutch text, an enum value of the models that is an English word (``built``,
  ``released``, ``erase``); in English text those are words, and the code-like ones are
  caught as ``snake_case``;
- ``language``: common English words in Dutch text, or Dutch words in English text (small
  lists; names and the demo's own content are passed as ``ignore``);
- ``column``: with ``names`` (the column and table names of source definitions that have a
  label), such a name inside ``<code>``/``<kbd>``/``<samp>``, or in the text where it is
  plainly a name and not a word of the reader (``customer_no``, or ``invoice`` in Dutch).
  The raw name may stay as the officer's secondary detail: the ``title`` of an element of
  class ``raw-name`` is not read. Pages that show configuration on purpose (the admin's
  source definitions) are not given ``names``.

``assert_in_words(text, language, where=...)`` fails with every problem listed. Packages,
letters and PDFs' text go through the same function (``html=False`` for CSV, JSON keys
are code on purpose and belong in ``ignore`` or are not passed). docs/architecture.md,
"Texts and labels".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# English words that have no business in a Dutch text (and are not Dutch words as well).
ENGLISH = frozenset(
    """the and your you with from this that which will have has been were please here our
    are for by yes request requests received confirmed pending rejected approved built
    released erase delete deleted open closed answered withdrawn sent failed none true false
    unknown subject officer controller source sources page back next previous save cancel
    submit""".split()  # noqa: SIM905 - a word list
)
# Dutch words that have no business in an English text (chosen not to clash with names
# such as "de Vries" or "van Dijk", or with English words).
DUTCH = frozenset(
    """het een uw wij niet verzoek verzoeken gegevens zijn voor met naar onze wordt worden
    kunt hebben betrokkene bevestigd ontvangen verstuurd pakket termijn dagen bron bronnen
    bekijken terug volgende jaar""".split()  # noqa: SIM905 - a word list
)
# Words that are both, or terms of the trade in both languages.
ALLOWED = frozenset(
    """open post web e-mail email api data status portal privacy id csv json xlsx zip pdf
    html sha-256 totp ok en nl""".split()  # noqa: SIM905 - a word list
)

_SKIP = {"script", "style", "code", "kbd", "samp", "pre", "template"}
_CODE = {"code", "kbd", "samp"}
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ0-9][\w-]*")
_READ_ATTRS = ("alt", "title", "aria-label", "placeholder")
_URL = re.compile(r"\b(?:https?|mailto|file)://\S+|\bwww\.\S+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FILE = re.compile(
    r"\b[\w-]+(?:\.[\w-]+)*\.(?:zip|csv|json|xlsx|html|pdf|txt|toml|png|eml|db|sqlite|xml|md|"
    r"sha256|asc|sig|py|cfg|ini|log)\b",
    re.I,
)
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|be|de|example|local|io)\b")
_DOTTED = re.compile(r"\b[A-Za-z][a-z_]+\.[a-z][a-z_]+\b")
_SNAKE = re.compile(r"\b[A-Za-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*")
_BARE_LANGUAGE = re.compile(r"<(dd|td|li|span|p)\b[^>]*>\s*(nl|en|NL|EN)\s*</\1>")


@dataclass(frozen=True)
class Problem:
    kind: str  # code, snake_case, enum, language
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.found!r} in …{self.context}…"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.codes: list[str] = []  # the text of <code>, <kbd> and <samp>
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping.append(tag)
            if tag in _CODE:
                self.codes.append("\n")
        raw_name = "raw-name" in (dict(attrs).get("class") or "").split()
        for name, value in attrs:
            if name == "title" and raw_name:
                continue  # the officer's secondary detail: the raw name beside its label
            if name in _READ_ATTRS and value and not self._skipping:
                self.parts.append(value)
        if tag in {"br", "p", "li", "td", "th", "div", "h1", "h2", "h3", "option", "tr"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
        elif set(self._skipping) <= _CODE:
            self.codes.append(data)


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def visible_text(html: str) -> str:
    """What a reader sees of ``html`` (plus the attributes read aloud), without <code>."""
    return "".join(_read(html).parts)


def code_text(html: str) -> str:
    """The text of the ``<code>``, ``<kbd>`` and ``<samp>`` elements of ``html``."""
    return "".join(_read(html).codes)


def _enum_values() -> frozenset[str]:
    """The values of every enum of the models (imported when first needed)."""
    import rights.models  # noqa: F401 - registers every model module
    from rights.db import Base

    values: set[str] = set()
    modules = {m.class_.__module__ for m in Base.registry.mappers}
    import sys

    for name in modules | {"rights.righttypes"}:
        for obj in vars(sys.modules[name]).values():
            if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj is not enum.Enum:
                values |= {str(m.value) for m in obj if isinstance(m.value, str)}
    return frozenset(values)


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 40) : end + 40].split())


def _names_in(text: str, names: frozenset[str], plain: bool) -> list[Problem]:
    found = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if word in names and (not plain or "_" in word or word.lower() not in ALLOWED):
            found.append(Problem("column", word, _context(text, m.start(), m.end())))
    return found


def raw_names(labels: Mapping[str, Any]) -> dict[str, set[str]]:
    """From a source definition's ``labels``: the column and table names that have a label.
    Under ``code`` all of them (none belongs in ``<code>`` on a reader's page); under a
    language the ones that read as a name, not a word, in that language's text:
    ``customer_no`` in both, ``invoice`` in Dutch (whose Dutch label is another word)."""
    out: dict[str, set[str]] = {"code": set(), "nl": set(), "en": set()}
    for kind in ("columns", "tables"):
        for name, label in (labels.get(kind) or {}).items():
            out["code"].add(name)
            for language in ("nl", "en"):
                snake = "_" in name
                foreign = language == "nl" and name.islower() and name != label["nl"].lower()
                if snake or foreign:
                    out[language].add(name)
    return out


def problems(
    text: str,
    language: str,
    *,
    html: bool = True,
    ignore: Iterable[str] = (),
    names: Mapping[str, Iterable[str]] | None = None,
) -> list[Problem]:
    """Every code-like string and wrong-language word in ``text`` (``language``: nl or en);
    with ``names`` (``raw_names``), every raw column or table name too."""
    plain = visible_text(text) if html else text
    named: list[Problem] = []
    if names is not None and html:
        named += _names_in(code_text(text), frozenset(names.get("code", ())), plain=False)
    for phrase in sorted(set(ignore), key=len, reverse=True):
        if phrase:
            plain = plain.replace(phrase, " ")
    for pattern in (_URL, _EMAIL, _FILE, _DOMAIN):
        plain = pattern.sub(" ", plain)
    if names is not None:
        named += _names_in(plain, frozenset(names.get(language, ())), plain=True)
    found: list[Problem] = []
    if html:  # a value that is only a language code: "Taal: nl" (the name is a word)
        for m in _BARE_LANGUAGE.finditer(text):
            found.append(Problem("code", m.group(2), _context(text, m.start(), m.end())))
    for kind, pattern in (("code", _DOTTED), ("snake_case", _SNAKE)):
        for m in pattern.finditer(plain):
            found.append(Problem(kind, m.group(0), _context(plain, m.start(), m.end())))
        plain = pattern.sub(" ", plain)  # one problem is reported once
    wrong = ENGLISH if language == "nl" else DUTCH
    enums = {v for v in _enum_values() if "_" not in v} if language == "nl" else set()
    for m in _WORD.finditer(plain):
        word = m.group(0).lower()
        if word in ALLOWED:
            continue
        if word in wrong:
            found.append(Problem("language", m.group(0), _context(plain, m.start(), m.end())))
        elif word in enums and m.group(0) == word:  # as the code is written: lower case
            found.append(Problem("enum", m.group(0), _context(plain, m.start(), m.end())))
    return found + named


# A clock time, and what must follow it: the zone (CET, CEST, UTC, or Amsterdam time in
# words), perhaps after a closing bracket or the seconds.
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:])")
_ZONE = re.compile(
    r"\s*\)?\s*(?:\(\s*)?(?:CET|CEST|UTC|Europe/Amsterdam|Amsterdam|Nederlandse tijd|Dutch time)"
)


def unzoned_times(text: str, *, html: bool = True) -> list[Problem]:
    """Every clock time (``HH:MM``) in what a reader sees that does not name its zone."""
    plain = visible_text(text) if html else text
    found = []
    for m in _CLOCK.finditer(plain):
        if not _ZONE.match(plain, m.end()):
            found.append(Problem("time", m.group(0), _context(plain, m.start(), m.end())))
    return found


_ISO_DATE = re.compile(r"(?<![\w-])\d{4}-[01]\d-[0-3]\d(?:T[\d:.+-]+Z?)?(?![\w-])")


def iso_dates(text: str, *, html: bool = True) -> list[Problem]:
    """Every ISO 8601 date (``2026-03-12``) or instant in what a reader sees: a person reads
    "12 maart 2026". (Not for exports meant for spreadsheets, which keep ISO dates.)"""
    plain = visible_text(text) if html else _URL.sub(" ", text)
    return [
        Problem("iso_date", m.group(0), _context(plain, m.start(), m.end()))
        for m in _ISO_DATE.finditer(plain)
    ]


def assert_in_words(
    text: str, language: str, *, where: str = "", html: bool = True, ignore: Iterable[str] = ()
) -> None:
    """Fail with every problem of ``text`` listed (``where`` names the page or file)."""
    found = problems(text, language, html=html, ignore=ignore)
    assert not found, f"{where} ({language}):\n" + "\n".join(str(p) for p in found)
