"""``schema/fields.json``: the key of every column in the package, with its label, type and
meaning, and where it appears (the CSV file and its column, the XLSX sheet), so a program
can rely on stable keys while the CSV and XLSX headers are written for people
(docs/package.md, "The schema file").

Shape (version 1; fields may be added, none removed or renamed without a new version)::

    {"schema": "dsr-portal/package-fields", "version": 1, "language": "nl",
     "types": {"string": "tekst", ...},
     "categories": [{"source": ..., "key": ..., "label": ..., "csv": "csv/a/b.csv" | null,
                     "xlsx_sheet": "..." | null,
                     "columns": [{"position": 1, "key": ..., "label": ..., "type": ...,
                                  "meaning": ...}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from exporters import i18n
from exporters.base import OutputFile
from exporters.model import ExportPackage

PATH = "schema/fields.json"
MEDIA_TYPE = "application/json"
SCHEMA_ID = "dsr-portal/package-fields"
VERSION = 1


def fields_document(
    pkg: ExportPackage, csv_paths: Sequence[str | None], sheets: Sequence[str | None]
) -> dict[str, Any]:
    """``csv_paths`` and ``sheets`` hold, per category in package order, where it is
    written (None when that format is not in the package)."""
    lang = pkg.language
    categories = []
    for index, (source, category) in enumerate(pkg.categories()):
        categories.append(
            {
                "source": source.name,
                "key": category.key,
                "label": category.label,
                "csv": csv_paths[index] if index < len(csv_paths) else None,
                "xlsx_sheet": sheets[index] if index < len(sheets) else None,
                "columns": [
                    {
                        "position": position,
                        "key": spec.name,
                        "label": spec.label,
                        "type": spec.type,
                        "meaning": spec.description or spec.label,
                    }
                    for position, spec in enumerate(category.fields, start=1)
                ],
            }
        )
    types: Mapping[str, str] = {
        kind: i18n.t(lang, f"type.{kind}")
        for kind in ("string", "integer", "number", "boolean", "date", "datetime")
    }
    return {
        "schema": SCHEMA_ID,
        "version": VERSION,
        "language": lang,
        "reference": pkg.reference,
        "about": i18n.t(lang, "fields.about"),
        "types": dict(types),
        "categories": categories,
    }


def fields_file(
    pkg: ExportPackage, csv_paths: Sequence[str | None], sheets: Sequence[str | None]
) -> OutputFile:
    data = json.dumps(fields_document(pkg, csv_paths, sheets), ensure_ascii=False, indent=2)

    def write(out: BinaryIO) -> None:
        out.write(data.encode() + b"\n")

    return OutputFile(PATH, MEDIA_TYPE, i18n.t(pkg.language, "file.fields"), write)
