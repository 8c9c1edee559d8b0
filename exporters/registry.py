"""The formats by name. Add a format by adding an entry, not a branch."""

from __future__ import annotations

from collections.abc import Mapping

from exporters.base import Format
from exporters.csv_format import CsvFormat
from exporters.errors import ExportInvalid
from exporters.html_format import HtmlFormat
from exporters.json_format import JsonFormat
from exporters.xlsx_format import XlsxFormat

FORMATS: Mapping[str, Format] = {
    "json": JsonFormat(),
    "csv": CsvFormat(),
    "xlsx": XlsxFormat(),
    "html": HtmlFormat(),
}


def get_format(name: str) -> Format:
    """The format registered as ``name``; ``ExportInvalid`` if there is none."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportInvalid(f"unknown export format {name!r}", format=name) from None
