"""XLSX: one workbook, an "Information" sheet with the Art. 15(1) information, then one sheet
per category (openpyxl write-only mode: rows go to a temporary file, memory stays flat).

Cells: a string that a spreadsheet could read as a formula is escaped with a leading ``'``
(:mod:`exporters.escaping`) and stored as a string cell, never as a formula; strings that
equal an Excel error code (``#N/A``...) are escaped too, or openpyxl would store an error cell.
Characters that XML 1.0 cannot carry are replaced by U+FFFD; Excel cuts strings at 32,767
characters (the JSON file has the full value). Dates are real dates (``yyyy-mm-dd``);
datetimes are converted to Amsterdam time and stored naive, because Excel has no time zones,
and the column header names the zone. Column widths are estimated from the header and the
field type, since the rows are not known in advance.

The workbook is deterministic: entry times and document properties come from
``generated_at`` instead of the clock.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC
from decimal import Decimal
from typing import IO, Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from exporters import i18n
from exporters.base import FormatOptions, OutputFile, unique
from exporters.display import AMSTERDAM, plain_decimal
from exporters.escaping import PREFIX, TRIGGERS
from exporters.model import CategoryData, ExportPackage, FieldSpec
from exporters.values import (
    Converter,
    ConverterFactory,
    check_bool,
    check_date,
    check_int,
    check_number,
    converters_for,
    make_row_reader,
    utc,
    wrong_type,
)
from exporters.xlsx_info import information_rows
from exporters.ziputil import COMPRESSION, DateTime, entry, zip_time

PATH = "data/package.xlsx"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_NAME = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED_SHEET_NAMES = {"history"}
_ERROR_CODES = frozenset(ERROR_CODES)
BOLD = Font(bold=True)
WIDTHS: Mapping[str, float] = {
    "string": 30,
    "integer": 12,
    "number": 14,
    "boolean": 8,
    "date": 12,
    "datetime": 20,
}


def safe_text(value: str) -> str:
    """A string cell value that Excel shows as text: escaped, XML-safe, never an error code."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if value[:1] in TRIGGERS or value in _ERROR_CODES:
        return PREFIX + value
    return value


def _string(spec: FieldSpec) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            wrong_type(spec, value)
        return safe_text(value)

    return convert


def _datetime(spec: FieldSpec) -> Converter:
    """Amsterdam wall-clock time (Excel has no zones; the header names the zone)."""
    return lambda v: utc(spec, v).astimezone(AMSTERDAM).replace(tzinfo=None)


def _number(spec: FieldSpec) -> Converter:
    def convert(value: Any) -> Any:
        checked = check_number(spec, value)
        return plain_decimal(checked) if isinstance(checked, Decimal) else checked

    return convert


CONVERTERS: Mapping[str, ConverterFactory] = {
    "string": _string,
    "integer": lambda spec: lambda v: check_int(spec, v),
    "number": _number,
    "boolean": lambda spec: lambda v: check_bool(spec, v),
    "date": lambda spec: lambda v: check_date(spec, v),
    "datetime": _datetime,
}


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel's rules: 1-31 characters, none of ``[]:*?/\\``, no leading or trailing
    apostrophe, not "History", unique ignoring case (``taken`` holds casefolded names)."""
    name = _SHEET_FORBIDDEN.sub(" ", text)[:MAX_SHEET_NAME].strip(" '") or "Sheet"
    if name.casefold() in _RESERVED_SHEET_NAMES:
        name += " 1"
    return unique(name, taken, limit=MAX_SHEET_NAME, fold=True)


def header_label(pkg: ExportPackage, spec: FieldSpec) -> str:
    return i18n.field_header(pkg.language, spec.label, spec.type)


def sheet_names(pkg: ExportPackage) -> list[str]:
    """The sheet of each category, in package order (after the information sheet)."""
    taken: set[str] = set()
    sheet_name(i18n.t(pkg.language, "sheet.information"), taken)
    return [sheet_name(category.label, taken) for _, category in pkg.categories()]


def _bold_row(ws: WriteOnlyWorksheet, values: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=safe_text(value))
        cell.font = BOLD
        cells.append(cell)
    return cells


def write_category_sheet(
    ws: WriteOnlyWorksheet, pkg: ExportPackage, category: CategoryData
) -> None:
    for index, spec in enumerate(category.fields, start=1):
        width = max(WIDTHS[spec.type], min(len(header_label(pkg, spec)) + 2, 60))
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append(_bold_row(ws, (header_label(pkg, f) for f in category.fields)))
    converters = converters_for(CONVERTERS, category.fields)
    read = make_row_reader(category.fields)
    append = ws.append
    for record in category.iter_records():
        append([None if v is None else c(v) for c, v in zip(converters, read(record), strict=True)])


def write_information_sheet(
    ws: WriteOnlyWorksheet, pkg: ExportPackage, sheets: list[tuple[str, str, str]]
) -> None:
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 100
    for row in information_rows(pkg, sheets):
        if row.heading:
            ws.append(_bold_row(ws, row.values))
        else:
            ws.append([safe_text(value) for value in row.values])


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile that stamps every entry with one fixed time, for reproducible workbooks."""

    def __init__(self, file: IO[bytes], date_time: DateTime) -> None:
        super().__init__(file, "w", COMPRESSION, allowZip64=True)
        self._date_time = date_time

    def writestr(  # type: ignore[override]
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: str | bytes, *args: Any, **kw: Any
    ) -> None:
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        super().writestr(entry(str(name), self._date_time), data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kw: Any) -> None:
        info = entry(str(arcname or filename), self._date_time)
        info.file_size = os.path.getsize(filename)  # lets ZipFile decide on ZIP64 itself
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def write_xlsx(pkg: ExportPackage, out: BinaryIO) -> None:
    """Stream ``pkg`` as an XLSX workbook into ``out``."""
    workbook = Workbook(write_only=True)
    stamp = pkg.generated_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = "DSR Portal"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.title = pkg.reference
    taken: set[str] = set()
    info_sheet = workbook.create_sheet(sheet_name(i18n.t(pkg.language, "sheet.information"), taken))
    sheets: list[tuple[str, str, str]] = []
    for source, category in pkg.categories():
        ws = workbook.create_sheet(sheet_name(category.label, taken))
        sheets.append((ws.title, source.name, category.label))
        write_category_sheet(ws, pkg, category)
    write_information_sheet(info_sheet, pkg, sheets)
    archive = _FixedTimeZip(out, zip_time(pkg.generated_at))
    ExcelWriter(workbook, archive).save()


class XlsxFormat:
    name = "xlsx"

    def files(self, pkg: ExportPackage, options: FormatOptions) -> list[OutputFile]:
        description = i18n.t(pkg.language, "file.xlsx")
        return [OutputFile(PATH, MEDIA_TYPE, description, lambda out: write_xlsx(pkg, out))]
