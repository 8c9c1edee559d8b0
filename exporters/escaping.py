"""Formula-injection escaping for spreadsheet cells (OWASP "CSV injection", ASVS 5.0 1.2.10).

Spreadsheet programs treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
and some also after a leading TAB, CR or LF. Every user-sourced string written to CSV or XLSX
goes through :func:`escape_cell`, which prefixes such a string with an apostrophe ``'``.

Why an apostrophe: it is the character spreadsheets themselves use to mark "this is text",
it keeps the original value readable right after it, and it survives conversions between
tools (an XLSX style flag such as ``quotePrefix`` is lost when a sheet is saved as CSV).
The price is that the escaped CSV/XLSX value is not byte-exact; JSON is, and is never escaped.

Properties (tested with hypothesis):

- an escaped value never starts with a trigger character;
- a value that does not start with a trigger is returned unchanged, so the escape is not
  reversible: ``"=1"`` and ``"'=1"`` both come out as ``"'=1"``. Consumers that need exact
  values read the JSON file.
- as it happens the function is idempotent (``'`` is not a trigger), but callers must not rely
  on that: escape each value exactly once, at the point where it is written.
"""

from __future__ import annotations

from typing import Final

TRIGGERS: Final = frozenset({"=", "+", "-", "@", "\t", "\r", "\n"})
PREFIX: Final = "'"


def needs_escape(value: str) -> bool:
    """True if a spreadsheet could read ``value`` as a formula."""
    return value[:1] in TRIGGERS


def escape_cell(value: str) -> str:
    """Return ``value`` with a leading ``'`` if it starts with ``= + - @``, TAB, CR or LF."""
    if value[:1] in TRIGGERS:
        return PREFIX + value
    return value
