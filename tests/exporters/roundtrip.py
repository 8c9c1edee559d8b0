"""Reading exported CSV and XLSX back into typed values, to compare with the source records."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from exporters import i18n
from exporters.display import AMSTERDAM
from exporters.escaping import escape_cell
from exporters.model import FieldSpec

CSV_PARSERS: Mapping[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": {"true": True, "false": False}.__getitem__,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
}


def read_csv(data: bytes, fields: Sequence[FieldSpec], delimiter: str) -> list[dict[str, Any]]:
    assert data.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    header = next(reader)
    # The keys are in schema/fields.json; a time column names its zone (Dutch package).
    assert header == [i18n.field_header("nl", f.label, f.type) for f in fields]
    return [
        {
            f.name: CSV_PARSERS[f.type](cell) if cell != "" else None
            for f, cell in zip(fields, row, strict=True)
        }
        for row in reader
    ]


def expected_csv(record: Mapping[str, Any], fields: Sequence[FieldSpec]) -> dict[str, Any]:
    """What a record should look like after CSV: strings escaped, empty string is no value."""
    out: dict[str, Any] = {}
    for f in fields:
        value = record.get(f.name)
        if isinstance(value, str):
            value = escape_cell(value) or None
        out[f.name] = value
    return out


def expected_xlsx(record: Mapping[str, Any], fields: Sequence[FieldSpec]) -> dict[str, Any]:
    """After XLSX: strings escaped (XML turns a bare CR into LF), datetimes naive
    Amsterdam time."""
    out: dict[str, Any] = {}
    for f in fields:
        value = record.get(f.name)
        if isinstance(value, str):
            value = escape_cell(value).replace("\r", "\n") or None
        elif isinstance(value, datetime):
            value = value.astimezone(AMSTERDAM).replace(tzinfo=None)
        out[f.name] = value
    return out


def xlsx_values(row: Sequence[Any], fields: Sequence[FieldSpec]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f, cell in zip(fields, row, strict=True):
        value = cell.value
        if f.type == "date" and isinstance(value, datetime):
            assert cell.is_date
            value = value.date()
        out[f.name] = value
    return out
