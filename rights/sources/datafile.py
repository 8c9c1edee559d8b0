"""The format-independent part of an uploaded data file: limits, header checks, row streaming.

A reader (CSV, XLSX) supplies the header cells and a function that yields raw records;
:class:`DataFile` turns those into ``dict`` rows and applies every limit in one place, so both
formats fail in the same way with the same error codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rights.errors import DataFileError
from rights.identifiers import is_email_address
from rights.sources.columns import ColumnRoles
from rights.sources.normalise import NormalisedIdentifiers, normalise_row

__all__ = ["DataFile", "FileLimits", "RecordSource", "check_header"]

# (1-based row number in the file, raw cells), from the top of the file on each call.
RecordSource = Callable[[], Iterator[tuple[int, Sequence[str]]]]

_LOOKS_LIKE_PHONE = re.compile(r"\+?[0-9][0-9 ()/-]{7,}")


def _looks_like_data(name: str) -> bool:
    """True for an e-mail address or a phone number (9+ digits; a date has 8) as a column name."""
    if is_email_address(name):
        return True
    return bool(_LOOKS_LIKE_PHONE.fullmatch(name)) and sum(ch.isdigit() for ch in name) >= 9


@dataclass(frozen=True, slots=True)
class FileLimits:
    """Upper bounds for an uploaded data file; each one protects memory or time.

    ``max_rows`` counts every record after the header, blank ones included. The XLSX limits
    are checked on the ZIP directory before any member is decompressed; the compression
    ratio is only checked for members of at least ``min_ratio_check_bytes``.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_columns: int = 200
    max_cell_length: int = 10_000
    max_rows: int = 5_000_000
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: float = 100.0
    min_ratio_check_bytes: int = 1024 * 1024
    max_zip_members: int = 1_000

    @property
    def max_record_chars(self) -> int:
        """The longest CSV record that can satisfy the column and cell limits (quotes doubled)."""
        return self.max_columns * (2 * self.max_cell_length + 3) + 2


def check_header(cells: Sequence[str], limits: FileLimits) -> list[str]:
    """Return the trimmed column names of a header row.

    Trailing empty header cells (``a;b;;``, common in spreadsheet exports) are dropped.
    Raises :class:`DataFileError` ``empty``, ``too_many_columns``, ``cell_too_long``,
    ``empty_header`` (a nameless column between named ones), ``duplicate_header``
    (names equal ignoring case) or ``no_header`` (the first row looks like data).
    """
    names = [cell.strip() for cell in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise DataFileError("The file has no header row.", code="empty")
    if len(names) > limits.max_columns:
        raise DataFileError(
            "The file has too many columns.",
            code="too_many_columns",
            row=1,
            columns=len(names),
            limit=limits.max_columns,
        )
    seen: set[str] = set()
    for index, name in enumerate(names, start=1):
        if len(name) > limits.max_cell_length:
            raise DataFileError(
                "A header cell is too long.", code="cell_too_long", row=1, column=index
            )
        if not name:
            raise DataFileError("A column has no name.", code="empty_header", column=index)
        if _looks_like_data(name):
            raise DataFileError(
                "The first row holds data, not column names.", code="no_header", column=index
            )
        if name.casefold() in seen:
            raise DataFileError(
                "Two columns have the same name.", code="duplicate_header", column=index
            )
        seen.add(name.casefold())
    return names


class DataFile:
    """An opened data file: its columns, their guessed identifier roles, and streamed rows.

    Rows are read from the upload on demand, in constant memory; each call of :meth:`rows`
    starts again at the top of the file. Errors found while streaming are
    :class:`DataFileError` with the 1-based ``row`` as a spreadsheet shows it (the header is
    ``header_row``, usually 1), so the caller can roll back the transaction that stored the
    rows before it. Iterate one at a time: all iterations share the upload's file position.
    """

    def __init__(
        self,
        *,
        kind: str,
        columns: list[str],
        column_roles: dict[str, str],
        limits: FileLimits,
        records: RecordSource,
        header_row: int = 1,
        details: Mapping[str, str] | None = None,
        close: Callable[[], None] | None = None,
    ) -> None:
        self.kind = kind
        self.columns = columns
        self.column_roles = column_roles
        self.limits = limits
        self.details = dict(details or {})
        self.header_row = header_row
        self._records = records
        self._closers: list[Callable[[], None]] = [close] if close is not None else []

    def __repr__(self) -> str:
        return f"<DataFile {self.kind} columns={len(self.columns)} roles={self.column_roles}>"

    def close(self) -> None:
        """Release what the reader holds open (an XLSX archive); the upload itself stays open."""
        while self._closers:
            self._closers.pop()()

    def add_closer(self, close: Callable[[], None]) -> None:
        """Run ``close`` on :meth:`close`, after the closers added before it."""
        self._closers.insert(0, close)

    def __enter__(self) -> DataFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def numbered_cells(self) -> Iterator[tuple[int, Sequence[str]]]:
        """Yield ``(row number, cells)`` for each non-blank record after the header, with
        exactly one cell per column: missing trailing cells are ``""``, empty cells right of
        the last named column are dropped. Raises as :meth:`numbered_rows` does."""
        limits, width = self.limits, len(self.columns)
        max_rows, max_cell, header_row = limits.max_rows, limits.max_cell_length, self.header_row
        count = 0
        for number, cells in self._records():
            if number <= header_row:
                continue
            count += 1
            if count > max_rows:
                raise DataFileError(
                    "The file has too many rows.",
                    code="too_many_rows",
                    row=number,
                    limit=max_rows,
                )
            joined = "".join(cells)
            if not joined or joined.isspace():  # only white space (as not any(cell.strip()))
                continue
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                raise DataFileError(
                    "A row has more cells than the header.", code="too_many_columns", row=number
                )
            # No cell can be longer than the whole record: most rows skip the per-cell pass.
            if len(joined) > max_cell and max(map(len, cells)) > max_cell:
                raise DataFileError(
                    "A cell is too long.",
                    code="cell_too_long",
                    row=number,
                    limit=max_cell,
                )
            if len(cells) != width:
                cells = [*cells[:width], *[""] * (width - len(cells))]
            yield number, cells

    def numbered_rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield ``(row number, {column: raw text})`` for each non-blank record after the header.

        Missing trailing cells are ``""``. Raises :class:`DataFileError` ``too_many_rows``,
        ``too_many_columns`` (a non-empty cell right of the last named column),
        ``cell_too_long``, and the reader's own codes (``encoding``, ``broken_xlsx``, ...).
        """
        columns = self.columns
        for number, cells in self.numbered_cells():
            yield number, dict(zip(columns, cells, strict=True))

    def rows(self) -> Iterator[dict[str, str]]:
        """Yield ``{column: raw text}`` for each non-blank record; see :meth:`numbered_rows`."""
        for _, values in self.numbered_rows():
            yield values

    def normalised_rows(self) -> Iterator[NormalisedIdentifiers]:
        """Yield each row with its normalised identifiers, using :attr:`column_roles`."""
        roles = ColumnRoles(self.column_roles)
        for number, values in self.numbered_rows():
            yield normalise_row(values, roles, row_number=number)

    def check(self) -> int:
        """Read the whole file once and return its number of data rows.

        Lets a caller find every row-level error before it stores anything; raises as
        :meth:`numbered_rows` does.
        """
        return sum(1 for _ in self.numbered_rows())
