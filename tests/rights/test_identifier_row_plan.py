"""The ingest's per-file row plan gives exactly what the per-row reference gives.

``rights.sources.normalise.row_identifiers`` (one cell per column, roles resolved once) must
store what ``normalise_row`` over the row's dictionary finds; ``DataFile.numbered_cells``
must yield what the dictionary rows held and refuse what they refused; the ingest's JSON of
the raw values must be the text ``json.dumps`` writes; and each shortcut of
``rights.identifiers`` must give what its steps give. A wrong canonical value means a
subject is silently not found, so these compare whole outputs on generated input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rights import identifiers
from rights.errors import DataFileError
from rights.sources.datafile import DataFile, FileLimits
from rights.sources.ingest import json_object
from rights.sources.normalise import normalise_row, row_identifiers

ROLES = [
    "email", "phone", "customer_number", "name", "first_name", "name_infix", "last_name",
    "postcode", "house_number", "house_number_addition", "other",
]  # fmt: skip
REAL_CELLS = [
    "", " ", "Jan", "de", "Vries", " van der ", "jan@example.nl", "JAN@Example.NL",
    " jan@example.nl ", "mailto:jan@example.nl", "x@localhost", "06-12345678",
    " 06 1234 5678 ", "+31 6 12345678", "+31 (0)6 1234 5678", "+32 470 12 34 56", "020-1234567",
    "K-1", "K0001234", "1234 ab", "1234AB", " 1234 AB ", "NL-1234 AB", "0123 AB", "12", " 12 ",
    "012", " 12 a", "12-1", "b", "Hof\u00a0", "\u00a0Jan", "Jos\u00e9", "Jose\u0301",
    "O'Brien", "\u2003", "M\u00fcller-L\u00fcdenscheidt",
]  # fmt: skip
NASTY = st.text(alphabet=" \t\u00a0\u2003\u200baAé0159@.-+'()\u0301", max_size=14)
CELLS = st.one_of(st.sampled_from(REAL_CELLS), NASTY)
COLUMNS = st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=7, unique=True)


def _stored(row: dict[str, str], roles: dict[str, str], region: str) -> tuple[object, ...]:
    """What the ingest stored before the row plan: the first of each, from normalise_row."""
    found = normalise_row(row, roles, row_number=2, default_region=region)
    return (
        found.emails[0] if found.emails else None,
        found.phones[0] if found.phones else None,
        found.customer_numbers[0] if found.customer_numbers else None,
        found.address_key,
        found.name_key,
    )


@settings(max_examples=700, deadline=None)
@given(
    columns=COLUMNS,
    # Roles may also name columns the file lacks (read as ""), as normalise_row allows.
    roles=st.dictionaries(st.sampled_from("ABCDEFGH"), st.sampled_from(ROLES), max_size=8),
    cells=st.lists(CELLS, min_size=7, max_size=7),
    region=st.sampled_from(["NL", "NL", "BE"]),
)
@example(
    columns=["A", "B", "C"],
    roles={"A": "first_name", "B": "last_name", "C": "house_number"},
    cells=["\u00a0Jan ", " ", "12", "", "", "", ""],
    region="NL",
)
@example(
    columns=["A", "B", "C", "D"],
    roles={"A": "postcode", "B": "house_number", "C": "house_number_addition", "E": "name"},
    cells=["1234 AB", " 12", "1 ", "", "", "", ""],
    region="NL",
)
def test_the_row_plan_stores_what_normalise_row_finds(
    columns: list[str], roles: dict[str, str], cells: list[str], region: str
) -> None:
    row = cells[: len(columns)]
    identify = row_identifiers(columns, roles, default_region=region)
    assert identify(row) == _stored(dict(zip(columns, row, strict=True)), roles, region)


@settings(max_examples=500, deadline=None)
@given(
    columns=st.lists(st.text(max_size=8), min_size=1, max_size=6),
    cells=st.lists(st.text(max_size=12), min_size=6, max_size=6),
)
@example(columns=['a"b', "\\", "é", "\u2028"], cells=["\x00", "\x7f", "😀", '"'] * 2)
@example(columns=["a", "a"], cells=["1", "2"] * 3)
def test_the_json_of_the_values_is_the_text_json_dumps_writes(
    columns: list[str], cells: list[str]
) -> None:
    row = cells[: len(columns)]
    assert json_object(columns)(row) == json.dumps(dict(zip(columns, row, strict=True)))


def _reference_rows(datafile: DataFile) -> Iterator[tuple[int, dict[str, str]]]:
    """``DataFile.numbered_rows`` as it was before the checked-cells loop."""
    limits, columns = datafile.limits, datafile.columns
    count = 0
    for number, cells in datafile._records():
        if number <= datafile.header_row:
            continue
        count += 1
        if count > limits.max_rows:
            raise DataFileError("rows", code="too_many_rows", row=number)
        if not "".join(cells).strip():
            continue
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            raise DataFileError("columns", code="too_many_columns", row=number)
        if max(map(len, cells)) > limits.max_cell_length:
            raise DataFileError("cell", code="cell_too_long", row=number)
        values = dict(zip(columns, cells, strict=False))
        for name in columns[len(cells) :]:
            values[name] = ""
        yield number, values


def _outcome(rows: Iterator[tuple[int, dict[str, str]]]) -> tuple[object, ...]:
    out: list[tuple[int, dict[str, str]]] = []
    try:
        out.extend(rows)
    except DataFileError as exc:
        return (out, exc.code, exc.params.get("row"))
    return (out, None, None)


@settings(max_examples=500, deadline=None)
@given(
    records=st.lists(
        st.lists(st.sampled_from(["", " ", "\t", "a", "bb", "ccc", " d ", "eeeeee"]), max_size=6),
        max_size=8,
    ),
    max_rows=st.integers(min_value=1, max_value=9),
    max_cell=st.integers(min_value=1, max_value=7),
)
def test_the_checked_cells_hold_and_refuse_what_the_row_dictionaries_did(
    records: list[list[str]], max_rows: int, max_cell: int
) -> None:
    def source() -> Iterator[tuple[int, Sequence[str]]]:
        yield 1, ["A", "B", "C"]
        yield from enumerate(records, start=2)

    datafile = DataFile(
        kind="csv", columns=["A", "B", "C"], column_roles={"A": "email"}, records=source,
        limits=FileLimits(max_rows=max_rows, max_cell_length=max_cell),
    )  # fmt: skip
    assert _outcome(datafile.numbered_rows()) == _outcome(_reference_rows(datafile))


NEVER = re.compile(r"(?!)")


@settings(max_examples=600, deadline=None)
@given(
    value=st.one_of(
        st.from_regex(r"\A[0-9]{4} ?[a-zA-Z]{2}\Z"),
        st.text(alphabet="0129 aAzZ-\u00a0\u0130", max_size=9),
    )
)
@example(value="1234 \u0130x")
def test_the_typed_postcode_shortcut_agrees_with_the_steps(value: str) -> None:
    got = identifiers.normalise_postcode(value)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(identifiers, "_TYPED_DUTCH_POSTCODE", NEVER)
        assert got == identifiers.normalise_postcode(value)


@settings(max_examples=400, deadline=None)
@given(
    value=st.builds(
        lambda pad, number, tail: pad + number + tail,
        st.sampled_from(["", " ", "  ", " " * 60, "\t"]),
        st.sampled_from(["06-12345678", "0612345678", "+31 6 1234 5678", "0031.20.1234567"]),
        st.sampled_from(["", " ", " " * 70, "\u00a0"]),
    )
)
def test_phones_as_typed_with_white_space_agree_with_the_library(value: str) -> None:
    """The untrimmed shortcut (before ``_clean``) must not accept what the length limit
    or the trimming would refuse."""
    got = identifiers.normalise_phone(value)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(identifiers, "_fast_phone", lambda v: None)
        assert got == identifiers.normalise_phone(value)
