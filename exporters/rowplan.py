"""Fast record-to-row conversion for the CSV exporter (the hot loop of a million-row export).

Calling a Python converter for every cell costs more than ``csv.writer`` itself. Instead, each
row's *type signature* (the tuple of its value types, computed in C) selects a cached plan,
built once per signature, that lists the plain-string cells to check for formula triggers and
the cells that need a Python converter (booleans, datetimes, floats, Decimals, and anything of
an unexpected type, whose converter raises ``ExportInvalid``). All other cells (``None``,
``int`` in an integer column, ``date`` in a date column) pass through untouched, so type
checking happens once per signature, not once per cell.

The result equals calling the per-field converters on every cell (a test checks this).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from exporters.escaping import PREFIX, TRIGGERS
from exporters.model import FieldSpec, Record
from exporters.values import Converter, make_row_reader

MAX_PLANS = 4096  # distinct signatures cached; rarer ones are planned per row
_NONE = type(None)

Plan = tuple[tuple[int, ...], tuple[tuple[int, Converter], ...]]


def row_converter(
    fields: Sequence[FieldSpec],
    converters: Sequence[Converter],
    passthrough: Mapping[str, frozenset[type]],
) -> Callable[[Record], list[Any]]:
    """A function from record to output row.

    ``passthrough`` maps a field type to the exact Python types the writer takes as they are;
    ``converters`` are the per-field fallbacks, which validate and convert.
    """
    names = tuple(spec.name for spec in fields)
    count = len(names)
    read = make_row_reader(fields)
    getter = operator.itemgetter(*names) if count > 1 else read
    plans: dict[tuple[type, ...], Plan] = {}

    def plan(signature: tuple[type, ...]) -> Plan:
        strings: list[int] = []
        converted: list[tuple[int, Converter]] = []
        for index, (spec, kind) in enumerate(zip(fields, signature, strict=True)):
            if kind is _NONE or kind in passthrough.get(spec.type, ()):
                continue
            if kind is str and spec.type == "string":
                strings.append(index)
            else:
                converted.append((index, converters[index]))
        result = (tuple(strings), tuple(converted))
        if len(plans) < MAX_PLANS:
            plans[signature] = result
        return result

    cached = plans.get
    triggers, prefix = TRIGGERS, PREFIX
    # Builtins as closure variables: this function runs once per row.
    _len, _tuple, _map, _type, _list = len, tuple, map, type, list

    def convert(record: Record) -> list[Any]:
        # The fast path of make_row_reader, inlined.
        if _len(record) == count:
            try:
                values = getter(record)
            except KeyError:
                values = read(record)
        else:
            values = read(record)
        signature = _tuple(_map(_type, values))
        strings, converted = cached(signature) or plan(signature)
        row = _list(values)
        for index in strings:
            value = row[index]
            if value and value[0] in triggers:  # faster than value[:1]: no slice object
                row[index] = prefix + value
        for index, conversion in converted:
            row[index] = conversion(row[index])
        return row

    return convert
