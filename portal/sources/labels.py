"""Words for the codes of data sources: kinds, action kinds, erasure modes, recipients'
roles, legal bases (the workspace's words, portal/staff/labels.py), and the columns, tables
and categories of a source by its definition's labels in the reader's language
(``column_name`` and friends, for the data and plan pages). Only the admin's definition page
shows the raw names, next to their labels (docs/architecture.md, "Texts and labels")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from exporters.labels import ROLE, category_label, column_label, table_name_label
from portal.controller.labels import OPERATIONS
from portal.staff.labels import BASES
from portal.words import LanguageTable
from rights.models.source import DataSource

__all__ = [
    "ACTION_KINDS",
    "BASES",
    "ERASURE_MODES",
    "OPERATIONS",
    "RECIPIENT_ROLES",
    "SOURCE_KINDS",
    "category_name",
    "column_name",
    "table_name",
]

# The table an uploaded file's records live in (rights.sources.adapters.file).
FILE_RECORDS = "data_record"

SOURCE_KINDS = {
    "sql": _l("SQL database"),
    "file": _l("Uploaded data files"),
    "manual": _l("Manual source (a task for a person)"),
}

ACTION_KINDS = {
    "export": _l("Export (access, portability)"),
    "rectify": _l("Rectify"),
    "erase": _l("Erase"),
    "restrict": _l("Restrict"),
    "lift_restriction": _l("Lift restriction (tells the subject first)"),
    "suppress": _l("Suppress for marketing"),
    "notify": _l("Notify recipients (Art. 19)"),
}

ERASURE_MODES = {
    "delete": _l("rows deleted"),
    "anonymise": _l("columns made anonymous"),
}

# One table for the roles, the package's (exporters.labels), read in the page's language.
RECIPIENT_ROLES = LanguageTable(ROLE)


def _language() -> str:
    return str(get_locale() or "nl")[:2]


def _source_labels(source: DataSource | None) -> Mapping[str, Any]:
    return ((source.mapping or {}).get("labels") or {}) if source is not None else {}


def column_name(source: DataSource | None, name: str) -> str:
    """A column of ``source`` by its definition's label, in the reader's language."""
    return column_label(_source_labels(source), str(name), _language())


def table_name(source: DataSource | None, name: str) -> str:
    """A table of ``source`` by its label; an uploaded file's records are "records"."""
    if name == FILE_RECORDS:
        return str(_l("uploaded file"))
    return table_name_label(_source_labels(source), str(name), _language())


def category_name(source: DataSource | None, name: str) -> str:
    return category_label(_source_labels(source), str(name), _language())
