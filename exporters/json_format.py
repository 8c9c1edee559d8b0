"""JSON: the complete, byte-exact package (Art. 20(1) "structured, commonly used and
machine-readable"; WP242: open format plus metadata describing each field).

The document is streamed: the envelope is written piece by piece and each record is encoded
on its own line, so memory does not grow with the number of records. Keys come in a fixed
order (envelope order, then field order), so the same package gives the same bytes. The output
validates against ``schema/package.schema.json`` (draft 2020-12). Strings are never escaped
for spreadsheets here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any, BinaryIO, TextIO

from exporters import i18n
from exporters.base import FormatOptions, OutputFile, text_stream
from exporters.model import CategoryData, ExportPackage, FieldSpec, SourceSection
from exporters.values import (
    Converter,
    ConverterFactory,
    check_bool,
    check_date,
    check_int,
    check_number,
    check_str,
    converters_for,
    make_row_reader,
    utc,
)

PATH = "data/package.json"
SCHEMA_PATH = "schema/package.schema.json"
MEDIA_TYPE = "application/json"


def _number(spec: FieldSpec) -> Converter:
    def convert(value: Any) -> Any:
        checked = check_number(spec, value)
        return float(checked) if isinstance(checked, Decimal) else checked

    return convert


CONVERTERS: Mapping[str, ConverterFactory] = {
    "string": lambda spec: lambda v: check_str(spec, v),
    "integer": lambda spec: lambda v: check_int(spec, v),
    "number": _number,
    "boolean": lambda spec: lambda v: check_bool(spec, v),
    "date": lambda spec: lambda v: check_date(spec, v).isoformat(),
    "datetime": lambda spec: lambda v: utc(spec, v).isoformat(),
}


def _dumps(value: Any, indent: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    return text.replace("\n", "\n" + " " * indent)


def iso(value: date) -> str:
    return value.isoformat()


def envelope(pkg: ExportPackage) -> dict[str, Any]:
    return {
        "format_version": pkg.format_version,
        "reference": pkg.reference,
        "language": pkg.language,
        "request": {
            "right": pkg.right,
            "received_at": iso(pkg.received_at),
            "generated_at": iso(pkg.generated_at),
        },
        "subject": {"display_name": pkg.subject_name},
        "excluded": [
            {
                "source": e.source,
                "category": e.category_key,
                "label": e.category_label,
                "reason": e.reason,
            }
            for e in pkg.excluded
        ],
    }


def information(source: SourceSection) -> dict[str, Any]:
    info = source.info
    return {
        "purposes": list(info.purposes),
        "legal_basis": list(info.legal_basis),
        "categories": list(source.category_labels),
        "recipients": [
            {"name": r.name, "role": r.role, "country": r.country} for r in info.recipients
        ],
        "retention": info.retention,
        "source_of_data": info.source_of_data,
        "automated_decision_making": info.automated_decision_making,
        "transfer_safeguards": info.transfer_safeguards,
        # null: not recorded (docs/legal.md, "Access").
        "collected_from_subject": info.collected_from_subject,
        "automated_decisions": info.automated_decisions,
        "transfers_outside_eea": info.transfers_outside_eea,
    }


def category_header(category: CategoryData) -> dict[str, Any]:
    return {
        "key": category.key,
        "label": category.label,
        "provided_by_subject": category.provided_by_subject,
        "legal_basis": category.legal_basis,
        "automated": category.automated,
        "fields": [
            {"name": f.name, "label": f.label, "type": f.type, "description": f.description}
            for f in category.fields
        ],
    }


def _write_members(w: TextIO, members: dict[str, Any], indent: int) -> None:
    pad = " " * indent
    for key, value in members.items():
        w.write(f"{pad}{json.dumps(key)}: {_dumps(value, indent)},\n")


def _write_records(w: TextIO, category: CategoryData) -> None:
    pad = " " * 12
    names = [f.name for f in category.fields]
    converters = converters_for(CONVERTERS, category.fields)
    read = make_row_reader(category.fields)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    separator = "\n"
    for record in category.iter_records():
        values = read(record)
        obj = {
            n: None if v is None else c(v)
            for n, c, v in zip(names, converters, values, strict=True)
        }
        w.write(separator + pad + encode(obj))
        separator = ",\n"
    w.write("\n          ]" if separator != "\n" else "]")


def _write_list(w: TextIO, items: Sequence[Any], indent: int, write_item: Any) -> None:
    if not items:
        w.write("[]")
        return
    pad = " " * indent
    for index, item in enumerate(items):
        w.write(("[\n" if index == 0 else ",\n") + pad + "  ")
        write_item(item)
    w.write("\n" + pad + "]")


def write_json(pkg: ExportPackage, out: BinaryIO) -> None:
    """Stream ``pkg`` as JSON into ``out`` (UTF-8, no BOM)."""
    with text_stream(out) as w:
        w.write("{\n")
        _write_members(w, envelope(pkg), 2)
        w.write('  "sources": ')

        def write_source(source: SourceSection) -> None:
            w.write("{\n")
            _write_members(
                w,
                {
                    "name": source.name,
                    "owner": source.owner,
                    "information": information(source),
                },
                6,
            )
            w.write('      "categories": ')
            _write_list(w, source.categories, 6, write_category)
            w.write("\n    }")

        def write_category(category: CategoryData) -> None:
            w.write("{\n")
            _write_members(w, category_header(category), 10)
            w.write('          "records": [')
            _write_records(w, category)
            w.write("\n        }")

        _write_list(w, pkg.sources, 2, write_source)
        w.write("\n}\n")


def schema_bytes() -> bytes:
    """The published JSON Schema (draft 2020-12) for :func:`write_json` output."""
    return resources.files("exporters").joinpath("schema/package.schema.json").read_bytes()


class JsonFormat:
    name = "json"

    def files(self, pkg: ExportPackage, options: FormatOptions) -> list[OutputFile]:
        description = i18n.t(pkg.language, "file.json")
        return [OutputFile(PATH, MEDIA_TYPE, description, lambda out: write_json(pkg, out))]
