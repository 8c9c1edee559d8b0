"""The labels of a source definition: a human name in Dutch and English for every column,
category and table, so no column name reaches a reader (docs/package.md, "Labels").

Example (in a source's TOML)::

    [labels.columns]
    customer_no = { nl = "Klantnummer", en = "Customer number" }
    amount = { nl = "Bedrag (euro)", en = "Amount (euros)", type = "number",
               about_nl = "Bedrag inclusief btw", about_en = "Amount including VAT" }
    issued_on = { nl = "Factuurdatum", en = "Invoice date", type = "date" }

    [labels.categories]
    Contactgegevens = { nl = "Contactgegevens", en = "Contact details" }

    [labels.tables]
    invoice = { nl = "Facturen", en = "Invoices" }

    [labels.texts]   # free texts of the definition as written, in both languages
    "7 jaar" = { nl = "7 jaar", en = "7 years" }

``type`` (``date`` or ``number``) says that a column stored as text holds dates or numbers, so
the package formats them for the reader. A label left out falls back to a readable form of
the name when the package is written
(``exporters.labels``); a label given must have both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rights.errors import ValidationFailed

# ``texts``: a free text of the definition (a hold's ground or period, the backup
# rotation) as written, with its words in each language for the letters.
KINDS = ("columns", "categories", "tables", "texts")
LANGUAGES = ("nl", "en")
ABOUT = ("about_nl", "about_en")
# A column stored as text may be declared a date or a number, so the package shows it as one.
VALUE_TYPES = frozenset({"date", "number"})
MAX_LABEL = 200


def _fail(message: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, code="bad_source_definition", **params)


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(f"{where}.{key} must be text", label=where[:80])
    if len(value) > MAX_LABEL:
        raise _fail(f"{where}.{key} is longer than {MAX_LABEL} characters", label=where[:80])
    return value.strip()


def parse_labels(data: Mapping[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """The ``[labels]`` of a parsed TOML definition, validated, as stored JSON (only the
    kinds the definition gives). Raises ``ValidationFailed`` (``bad_source_definition``)."""
    raw = data.get("labels", {})
    if not isinstance(raw, dict):
        raise _fail("labels must be a table")
    unknown = set(raw) - set(KINDS)
    if unknown:
        raise _fail(f"unknown labels kind {sorted(unknown)[0]!r}")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for kind in KINDS:
        entries = raw.get(kind, {})
        if not isinstance(entries, dict):
            raise _fail(f"labels.{kind} must be a table")
        parsed: dict[str, dict[str, str]] = {}
        for name, entry in entries.items():
            where = f"labels.{kind}.{name}"
            if not isinstance(entry, dict):
                raise _fail(f"{where} must be a table with nl and en", label=where[:80])
            label = {lang: _text(entry, lang, where, required=True) for lang in LANGUAGES}
            if kind == "columns":
                for key in ABOUT:
                    if key in entry:
                        label[key] = _text(entry, key, where, required=False)
                if "type" in entry:
                    if entry["type"] not in VALUE_TYPES:
                        raise _fail(f"{where}.type must be date or number", label=where[:80])
                    label["type"] = entry["type"]
            parsed[str(name)] = label
        if parsed:
            out[kind] = parsed
    return out
