"""CSV and XLSX writers for the register of requests (rows from ``rights.register``).

Every text cell is escaped against formula injection (docs/security.md, "Input and exports"), in
both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from exporters.escaping import escape_cell
from exporters.xlsx_format import safe_text


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return escape_cell(value)
    return str(value)


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[object]], out: BinaryIO) -> None:
    """UTF-8 with BOM, semicolon-separated (Dutch Excel), CRLF line ends."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    out.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))


def write_xlsx(headers: Sequence[str], rows: Sequence[Sequence[object]], out: BinaryIO) -> None:
    """One sheet 'Register' with typed cells (dates as dates, booleans as booleans)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([safe_text(v) if isinstance(v, str) and v else v for v in row])
    book.save(out)
