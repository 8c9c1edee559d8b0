"""Fast record-to-row conversion for the CSV exporter (the hot loop of a million-row export).

Calling a Python converter for every cell, or even inspecting every row in Python, costs
more than ``csv.writer`` itself. Instead the records are taken in chunks of ``CHUNK`` and
each chunk is converted **column by column**, with the per-cell work done by built-ins
(``map``, ``zip``, ``set``, ``str.startswith``) rather than Python code:

- a column whose values are all of the exact types the writer takes as they are (``None``,
  ``int`` in an integer column, ``date`` in a date column) passes through untouched;
- a string column of plain ``str`` values (and ``None``) only gets the formula escape
  (:mod:`exporters.escaping`) on the cells that start with a trigger;
- any other column (booleans, datetimes, floats, Decimals, anything of an unexpected type)
  goes through its per-field converter cell by cell, which validates and converts, and
  raises ``ExportInvalid`` for a value of the wrong type.

So type checking costs one ``set(map(type, column))`` per column and chunk, not a Python
call per cell. The rows equal those of calling the per-field converters on every cell
(a hypothesis test checks this on chunks of mixed records); a bad value raises the same
error, though not necessarily for the first bad cell in row order, and the rows of earlier
chunks may already be written (a failed export is discarded whole).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice, repeat
from typing import Any

from exporters.escaping import PREFIX, TRIGGERS
from exporters.model import FieldSpec, Record
from exporters.values import Converter, make_row_reader

CHUNK = 512  # records converted together: big enough to amortise, small enough to stream
_NONE = type(None)
_TRIGGERS = tuple(sorted(TRIGGERS))
_STRINGS = frozenset({str, _NONE})

Column = Sequence[Any]


def _escaped(column: Column, with_none: bool) -> Column:
    """A string column (``with_none``: some cells ``None``) with the formula escape applied;
    ``column`` itself when no cell needs it."""
    if with_none:
        return [PREFIX + v if v and v[0] in TRIGGERS else v for v in column]
    flags = list(map(str.startswith, column, repeat(_TRIGGERS)))
    if True not in flags:
        return column
    return [PREFIX + v if flag else v for v, flag in zip(column, flags, strict=True)]


def _column_plan(
    spec: FieldSpec, convert: Converter, passthrough: frozenset[type]
) -> Callable[[Column], Column]:
    """The conversion of one field's column of a chunk."""
    writes_as_is = passthrough | {_NONE}

    def by_cell(column: Column) -> Column:
        return [None if v is None else convert(v) for v in column]

    def plan(column: Column) -> Column:
        kinds = set(map(type, column))
        if kinds <= writes_as_is:
            return column
        if spec.type == "string" and kinds <= _STRINGS:
            return _escaped(column, _NONE in kinds)
        return by_cell(column)

    return plan


def rows_converter(
    fields: Sequence[FieldSpec],
    converters: Sequence[Converter],
    passthrough: Mapping[str, frozenset[type]],
) -> Callable[[Iterable[Record]], Iterator[Sequence[Any]]]:
    """A function from records to output rows (tuples, in field order).

    ``passthrough`` maps a field type to the exact Python types the writer takes as they are;
    ``converters`` are the per-field fallbacks, which validate and convert.
    """
    names = tuple(spec.name for spec in fields)
    count = len(names)
    read = make_row_reader(fields)  # validates: missing keys None, unknown keys refused
    getter = operator.itemgetter(*names) if count > 1 else None
    plans = [
        _column_plan(spec, convert, frozenset(passthrough.get(spec.type, ())))
        for spec, convert in zip(fields, converters, strict=True)
    ]

    def values(chunk: list[Record]) -> list[Any]:
        if getter is not None and set(map(len, chunk)) == {count}:
            try:
                return list(map(getter, chunk))  # every field present, so none unknown
            except KeyError:
                pass
        return list(map(read, chunk))

    def convert(records: Iterable[Record]) -> Iterator[Sequence[Any]]:
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK)):
            columns = list(zip(*values(chunk), strict=True))
            yield from zip(*map(operator.call, plans, columns), strict=True)

    return convert
