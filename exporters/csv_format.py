"""CSV: one file per category, for spreadsheets and simple tools.

UTF-8 with a byte order mark (so Excel picks the encoding), RFC 4180 quoting with CRLF line
ends, delimiter ``;`` (what Dutch Excel expects) or ``,``. The header row holds the columns'
labels in the package language; the stable keys, in column order, are in ``schema/fields.json``
(docs/package.md). Decimals lose their database padding. Every string cell is escaped against
formula injection (:mod:`exporters.escaping`); dates are ISO 8601, datetimes ISO 8601 in
Amsterdam time with their offset (``2026-12-01T14:05:00+01:00``: the wall clock a reader
expects, the same instant for a program) under a header that names the zone, booleans
``true``/``false``.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from exporters import i18n
from exporters.base import FormatOptions, OutputFile, slug, text_stream, unique
from exporters.display import AMSTERDAM, plain_decimal
from exporters.escaping import PREFIX, TRIGGERS, escape_cell
from exporters.model import CategoryData, ExportPackage, FieldSpec, Language
from exporters.rowplan import rows_converter
from exporters.values import (
    Converter,
    ConverterFactory,
    check_date,
    check_int,
    check_number,
    check_str,
    converters_for,
    utc,
    wrong_type,
)

MEDIA_TYPE = "text/csv"


def _string(spec: FieldSpec) -> Converter:
    triggers = TRIGGERS

    def convert(value: Any) -> str:
        text: str = value if type(value) is str else str(check_str(spec, value))
        return PREFIX + text if text[:1] in triggers else text

    return convert


def _boolean(spec: FieldSpec) -> Converter:
    def convert(value: Any) -> str:
        if value is True:
            return "true"
        if value is False:
            return "false"
        wrong_type(spec, value)

    return convert


def _number(spec: FieldSpec) -> Converter:
    """A number with a decimal point; a database decimal without its padding
    (``12.0000000000`` gives ``12.00``)."""

    def convert(value: Any) -> Any:
        checked = check_number(spec, value)
        return plain_decimal(checked) if isinstance(checked, Decimal) else checked

    return convert


CONVERTERS: Mapping[str, ConverterFactory] = {
    "string": _string,
    "integer": lambda spec: lambda v: check_int(spec, v),
    "number": _number,
    "boolean": _boolean,
    "date": lambda spec: lambda v: check_date(spec, v).isoformat(),
    "datetime": lambda spec: lambda v: utc(spec, v).astimezone(AMSTERDAM).isoformat(),
}


# Values that csv.writer already writes correctly (``str(date)`` is ISO 8601).
PASSTHROUGH: Mapping[str, frozenset[type]] = {
    "integer": frozenset({int}),
    "date": frozenset({date}),
}


def csv_rows(category: CategoryData, language: Language = "nl") -> Iterator[Sequence[Any]]:
    """The header row (the columns' labels, a time column naming its zone; their keys are in
    ``schema/fields.json``), then each record as converted, escaped cell values."""
    yield [escape_cell(i18n.field_header(language, f.label, f.type)) for f in category.fields]
    convert = rows_converter(
        category.fields, converters_for(CONVERTERS, category.fields), PASSTHROUGH
    )
    yield from convert(category.iter_records())


def write_csv(
    category: CategoryData, out: BinaryIO, delimiter: str = ";", language: Language = "nl"
) -> None:
    """Stream one category as CSV into ``out``, headers in ``language``."""
    out.write(codecs.BOM_UTF8)
    with text_stream(out, newline="") as w:
        csv.writer(w, delimiter=delimiter, lineterminator="\r\n").writerows(
            csv_rows(category, language)
        )


def csv_paths(pkg: ExportPackage) -> list[str]:
    """The path of each category's CSV file, in package order."""
    taken: set[str] = set()
    return [
        unique(f"csv/{slug(source.name)}/{slug(category.key)}", taken) + ".csv"
        for source, category in pkg.categories()
    ]


class CsvFormat:
    name = "csv"

    def files(self, pkg: ExportPackage, options: FormatOptions) -> list[OutputFile]:
        files: list[OutputFile] = []
        delimiter = options.csv_delimiter
        paths = csv_paths(pkg)
        for index, (source, category) in enumerate(pkg.categories()):
            path = paths[index]
            description = i18n.t(
                pkg.language,
                "file.csv",
                category=category.label,
                source=source.name,
                delimiter=delimiter,
            )

            def write(out: BinaryIO, category: CategoryData = category) -> None:
                write_csv(category, out, delimiter, pkg.language)

            files.append(OutputFile(path, MEDIA_TYPE, description, write))
        return files
