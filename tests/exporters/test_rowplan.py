import csv
import io
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from exporters.csv_format import CONVERTERS, PASSTHROUGH
from exporters.model import FieldSpec
from exporters.rowplan import row_converter
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


@given(st.fixed_dictionaries({}, optional=VALUES))
def test_fast_rows_equal_per_cell_conversion(record: dict[str, Any]) -> None:
    converters = converters_for(CONVERTERS, FIELDS)
    expected = [
        None if record.get(f.name) is None else c(record[f.name])
        for f, c in zip(FIELDS, converters, strict=True)
    ]
    actual = row_converter(FIELDS, converters, PASSTHROUGH)(record)
    assert csv_line(actual) == csv_line(expected)  # dates pass through: str(date) is ISO


def csv_line(row: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def test_one_column_categories_work() -> None:
    fields = (FieldSpec("s", "S"),)
    convert = row_converter(fields, converters_for(CONVERTERS, fields), PASSTHROUGH)
    assert convert({"s": "=x"}) == ["'=x"]
    assert convert({}) == [None]
    assert convert({"s": date(2024, 1, 2).isoformat()}) == ["2024-01-02"]
    assert convert({"s": datetime(2024, 1, 2, tzinfo=UTC).isoformat()})[0].startswith("2024")
