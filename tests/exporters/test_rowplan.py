import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exporters.csv_format import CONVERTERS, PASSTHROUGH
from exporters.errors import ExportInvalid
from exporters.model import FieldSpec
from exporters.rowplan import CHUNK, rows_converter
from exporters.values import converters_for

FIELDS = (
    FieldSpec("s", "S"),
    FieldSpec("i", "I", "integer"),
    FieldSpec("d", "D", "date"),
    FieldSpec("t", "T", "datetime"),
    FieldSpec("b", "B", "boolean"),
    FieldSpec("n", "N", "number"),
    FieldSpec("u", "U"),
)
VALUES = {
    "s": st.none() | st.text(),
    "i": st.none() | st.integers(),
    "d": st.none() | st.dates(),
    "t": st.none() | st.datetimes(timezones=st.just(UTC)),
    "b": st.none() | st.booleans(),
    "n": st.none() | st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    "u": st.none() | st.sampled_from(["=1", "-3", "+31", "@x", "\tx", "ok", ""]),
}


RECORDS = st.lists(st.fixed_dictionaries({}, optional=VALUES), max_size=12)
CONVERTERS_OF_FIELDS = converters_for(CONVERTERS, FIELDS)


def per_cell(record: dict[str, Any]) -> list[Any]:
    return [
        None if record.get(f.name) is None else c(record[f.name])
        for f, c in zip(FIELDS, CONVERTERS_OF_FIELDS, strict=True)
    ]


@given(RECORDS, st.integers(min_value=0, max_value=3))
def test_fast_rows_equal_per_cell_conversion(records: list[dict[str, Any]], pad: int) -> None:
    """Records of every shape mixed in one chunk, and (``pad`` copies of a full chunk in
    front) across a chunk's edge: each row is what the per-field converters give."""
    filler = [{"s": "x", "i": 1}] * (CHUNK * pad - (1 if pad else 0))
    everything = filler + records
    actual = list(rows_converter(FIELDS, CONVERTERS_OF_FIELDS, PASSTHROUGH)(everything))
    assert len(actual) == len(everything)
    for row, record in zip(actual, everything, strict=True):
        assert csv_line(row) == csv_line(per_cell(record))  # str(date) is ISO, as written


@pytest.mark.parametrize(
    "bad",
    [{"i": True}, {"i": "=1+1"}, {"s": 3}, {"d": datetime(2024, 1, 1, tzinfo=UTC)}, {"x": "y"}],
)
def test_a_bad_value_anywhere_in_a_chunk_is_refused(bad: dict[str, Any]) -> None:
    good = {"s": "=ok", "i": 2, "d": date(2024, 1, 2)}
    for position in (0, 7, CHUNK - 1, CHUNK, CHUNK + 3):
        records = [good] * (CHUNK + 5)
        records[position] = bad
        with pytest.raises(ExportInvalid):
            list(rows_converter(FIELDS, CONVERTERS_OF_FIELDS, PASSTHROUGH)(records))


def csv_line(row: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def test_one_column_categories_work() -> None:
    fields = (FieldSpec("s", "S"),)
    convert = rows_converter(fields, converters_for(CONVERTERS, fields), PASSTHROUGH)
    assert list(convert([{"s": "=x"}, {}, {"s": "-"}, {"s": "ok"}])) == [
        ("'=x",),
        (None,),
        ("'-",),
        ("ok",),
    ]
    assert list(convert([{"s": date(2024, 1, 2).isoformat()}])) == [("2024-01-02",)]
    stamp = datetime(2024, 1, 2, tzinfo=UTC).isoformat()
    assert next(convert([{"s": stamp}]))[0].startswith("2024")
    assert list(convert([])) == []
