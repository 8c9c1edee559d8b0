"""XLSX workbooks: ZIP checks before openpyxl sees the file, then streamed read-only rows.

Formulas are never evaluated: openpyxl is opened with ``data_only=False``, so a formula cell yields
its formula text (``"=SUM(A1:A3)"``), which is stored as plain text like any other cell. Cached
results are ignored on purpose, since a crafted file can cache anything. Exporters escape such text
on the way out (docs/security.md, "Input and exports"). Dates become ISO 8601 text and whole numbers
lose their ``.0``, so a phone number stored as a number reads ``612345678``.
"""

from __future__ import annotations

import datetime
import struct
import zipfile
from collections.abc import Generator, Mapping
from typing import Any, BinaryIO

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from rights.errors import DataFileError
from rights.sources.columns import resolve_roles
from rights.sources.datafile import DataFile, FileLimits, check_header

__all__ = ["check_zip", "open_xlsx"]

_EXCEL_MAX_ROWS = 1_048_576
_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
# A central directory entry is 46 bytes plus its name; XLSX member names are short.
_MAX_DIRECTORY_BYTES_PER_MEMBER = 1024


def _broken(**params: object) -> DataFileError:
    return DataFileError(
        "The workbook is damaged or not a valid XLSX file.", code="broken_xlsx", **params
    )


def _bomb(reason: str, **params: object) -> DataFileError:
    return DataFileError(
        "The workbook unpacks to more than is allowed.", code="zip_bomb", reason=reason, **params
    )


def _check_end_record(fileobj: BinaryIO, size: int, limits: FileLimits) -> None:
    """Bound the central directory before ``zipfile`` reads all of it into memory."""
    tail_size = min(size, _END_RECORD_SIZE + 0xFFFF)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    position = tail.rfind(_END_RECORD)
    if position < 0 or len(tail) - position < _END_RECORD_SIZE:
        raise _broken(reason="no_end_record")
    fields = struct.unpack("<HHHHIIH", tail[position + 4 : position + _END_RECORD_SIZE])
    members, directory_size = fields[3], fields[4]
    if members > limits.max_zip_members:
        raise _bomb("members", limit=limits.max_zip_members)
    if directory_size > limits.max_zip_members * _MAX_DIRECTORY_BYTES_PER_MEMBER:
        raise _bomb("directory")


def check_zip(fileobj: BinaryIO, size: int, limits: FileLimits) -> None:
    """Check an XLSX's ZIP directory without decompressing anything.

    Raises :class:`DataFileError` ``broken_xlsx`` (truncated or not a ZIP),
    ``not_a_data_file`` (a ZIP that is not a workbook: .docx, .ods, .xlsb, an archive), or
    ``zip_bomb`` (too many members, too much uncompressed data, or a member whose
    compression ratio exceeds ``max_compression_ratio``).
    """
    _check_end_record(fileobj, size, limits)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # an unknown ZIP version or compression method
        struct.error,
        OSError,
        EOFError,
        ValueError,
    ):
        raise _broken(reason="zip") from None
    if len(members) > limits.max_zip_members:
        raise _bomb("members", limit=limits.max_zip_members)
    names = {member.filename for member in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise DataFileError("The file is not a workbook.", code="not_a_data_file", detected="zip")
    if sum(member.file_size for member in members) > limits.max_uncompressed_bytes:
        raise _bomb("size", limit=limits.max_uncompressed_bytes)
    for member in members:
        if member.file_size < limits.min_ratio_check_bytes:
            continue
        if member.file_size > limits.max_compression_ratio * max(member.compress_size, 1):
            raise _bomb("ratio", limit=limits.max_compression_ratio)


def cell_text(value: Any) -> str:
    """Return the text of an openpyxl cell value (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, ArrayFormula):
        return value.text or ""
    # timedelta and anything openpyxl may add; a data table formula has no text of its own.
    return str(value) if isinstance(value, datetime.timedelta) else ""


class _XlsxRecords:
    """Re-readable record source over one read-only worksheet."""

    def __init__(self, worksheet: Any, limits: FileLimits) -> None:
        self._worksheet = worksheet
        self._limits = limits
        # Cells right of this are only converted if some are non-empty (then it is an error).
        self.width = limits.max_columns + 1

    def __call__(self) -> Generator[tuple[int, list[str]], None, None]:
        # Rows are cut at max_columns + 1, so a stray cell in column XFD costs nothing.
        rows = self._worksheet.iter_rows(max_col=self._limits.max_columns + 1, values_only=True)
        number = 0
        while True:
            number += 1
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
                raise _broken(reason="sheet", row=number) from exc
            if number > _EXCEL_MAX_ROWS:
                raise _broken(reason="rows", row=number)
            cells = [cell_text(value) for value in values[: self.width]]
            rest = values[self.width :]
            if rest and rest.count(None) != len(rest):
                cells.extend(cell_text(value) for value in rest)
            yield number, cells


def open_xlsx(
    fileobj: BinaryIO,
    size: int,
    limits: FileLimits,
    column_roles: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
) -> DataFile:
    """Open the first worksheet (or ``sheet``) of a workbook; see ``open_data_file``.

    Raises :class:`DataFileError` as :func:`check_zip` does, ``broken_xlsx`` when openpyxl
    cannot read the workbook, ``no_sheet`` for a missing sheet name, and the header codes.
    """
    check_zip(fileobj, size, limits)
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as exc:  # invalid XML, missing parts, unsupported content
        raise _broken(reason="workbook") from exc
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise DataFileError("The workbook has no worksheet.", code="no_sheet")
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames and workbook[sheet] in workbook.worksheets:
            worksheet = workbook[sheet]
        else:
            raise DataFileError("The workbook has no sheet of that name.", code="no_sheet")
        # The stored dimension is the writer's claim; rows are sized by their own cells.
        worksheet.reset_dimensions()
        records = _XlsxRecords(worksheet, limits)
        header_row, header = 0, []
        source = records()
        try:
            for header_row, cells in source:  # noqa: B007 - first non-blank row is the header
                if any(cell.strip() for cell in cells):
                    header = cells
                    break
        finally:
            source.close()
        columns = check_header(header, limits)
        records.width = len(columns)
        return DataFile(
            kind="xlsx",
            columns=columns,
            column_roles=resolve_roles(columns, column_roles),
            limits=limits,
            records=records,
            header_row=header_row,
            details={"sheet": worksheet.title},
            close=workbook.close,
        )
    except BaseException:
        workbook.close()
        raise
