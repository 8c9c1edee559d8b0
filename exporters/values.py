"""Reading records and converting field values, shared by the formats.

Each format has a registry ``{field type: converter factory}``; a factory takes the
:class:`FieldSpec` and returns a one-argument converter, built once per column so the per-cell
work is a single call with no type dispatch. Converters check the Python type, because a
string smuggled into an ``integer`` column must not bypass formula escaping.

Datetimes are checked aware and normalised to UTC here; each format then writes them its
way (docs/package.md, "Values"): ISO 8601 UTC in JSON, ISO 8601 Amsterdam time with its
offset in CSV, naive Amsterdam time in XLSX (Excel has no time zones; the header names the
zone), in words with the zone named in HTML.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from exporters.errors import ExportInvalid
from exporters.model import FieldSpec, Record

Converter = Callable[[Any], Any]
ConverterFactory = Callable[[FieldSpec], Converter]
Row = Sequence[Any]


def wrong_type(spec: FieldSpec, value: Any) -> NoReturn:
    raise ExportInvalid(
        f"field {spec.name!r} ({spec.type}) got a {type(value).__name__}",
        field=spec.name,
        type=spec.type,
    )


def make_row_reader(fields: Sequence[FieldSpec]) -> Callable[[Record], Row]:
    """A function that returns a record's values in field order (missing keys are ``None``).

    A key that is not a declared field raises ``ExportInvalid``: dropping it silently would
    make the copy incomplete (Art. 15(3)).
    """
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    count = len(names)
    getter = operator.itemgetter(*names)

    def slow(record: Record) -> Row:
        extra = record.keys() - known
        if extra:
            raise ExportInvalid(
                f"record has undeclared fields: {sorted(extra)!r}", fields=sorted(extra)
            )
        return tuple(record.get(name) for name in names)

    def read(record: Record) -> Row:
        if len(record) != count:
            return slow(record)
        try:
            values = getter(record)
        except KeyError:
            return slow(record)
        return values if count > 1 else (values,)

    return read


def utc(spec: FieldSpec, value: Any) -> datetime:
    """An aware datetime converted to UTC; naive datetimes are refused (ambiguous)."""
    if type(value) is not datetime and not isinstance(value, datetime):
        wrong_type(spec, value)
    if value.utcoffset() is None:
        raise ExportInvalid(f"field {spec.name!r} has a naive datetime", field=spec.name)
    return value.astimezone(UTC)


def check_date(spec: FieldSpec, value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        wrong_type(spec, value)
    return value


def check_int(spec: FieldSpec, value: Any) -> int:
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int)):
        wrong_type(spec, value)
    return int(value)


def check_number(spec: FieldSpec, value: Any) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        wrong_type(spec, value)
    if not (isinstance(value, int) or math.isfinite(value)):
        raise ExportInvalid(f"field {spec.name!r} is not a finite number", field=spec.name)
    return value


def check_str(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        wrong_type(spec, value)
    return value


def check_bool(spec: FieldSpec, value: Any) -> bool:
    if not isinstance(value, bool):
        wrong_type(spec, value)
    return value


def converters_for(
    registry: Mapping[str, ConverterFactory], fields: Sequence[FieldSpec]
) -> list[Converter]:
    return [registry[f.type](f) for f in fields]
