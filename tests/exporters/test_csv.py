import io
from datetime import UTC, date, datetime

import pytest

from exporters.csv_format import write_csv
from exporters.errors import ExportInvalid
from exporters.model import CategoryData, FieldSpec, rows
from tests.exporters.conftest import CONTACT_FIELDS, TRIGGER_VALUES, contact_records, make_package
from tests.exporters.roundtrip import expected_csv, read_csv


def contacts() -> CategoryData:
    return make_package().sources[0].categories[0]


def export(category: CategoryData, delimiter: str = ";") -> bytes:
    out = io.BytesIO()
    write_csv(category, out, delimiter)
    return out.getvalue()


@pytest.mark.parametrize("delimiter", [";", ","])
def test_every_trigger_is_escaped(delimiter: str) -> None:
    parsed = read_csv(export(contacts(), delimiter), CONTACT_FIELDS, delimiter)
    escaped = [r["name"] for r in parsed if r["mailings"] == -3]
    assert escaped == ["'" + value for value in TRIGGER_VALUES]
    assert all(r["email"] == r["name"] for r in parsed if r["mailings"] == -3)


@pytest.mark.parametrize("delimiter", [";", ","])
def test_round_trip_gives_the_source_records(delimiter: str) -> None:
    parsed = read_csv(export(contacts(), delimiter), CONTACT_FIELDS, delimiter)
    assert parsed == [expected_csv(r, CONTACT_FIELDS) for r in contact_records()]
    assert parsed[0]["born"] == date(1980, 5, 17)
    assert parsed[0]["subscribed_at"] == datetime(2024, 1, 2, 12, 4, 5, tzinfo=UTC)


def test_file_is_utf8_with_bom_crlf_and_iso_dates() -> None:
    data = export(contacts())
    assert data.startswith(
        "\ufeffNaam;E-mailadres;Geboortedatum;Aangemeld op (Nederlandse tijd);".encode()
    )
    assert (
        b"\r\nJan de Vries;jan@example.nl;1980-05-17;2024-01-02T13:04:05+01:00;12;3.5;true\r\n"
        in data
    )


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 12, 1, 13, 5, tzinfo=UTC), "2026-12-01T14:05:00+01:00"),
        (datetime(2026, 7, 1, 13, 5, tzinfo=UTC), "2026-07-01T15:05:00+02:00"),
    ],
)
@pytest.mark.parametrize(
    ("language", "header"), [("nl", "Nederlandse tijd"), ("en", "Amsterdam time")]
)
def test_a_time_reads_as_the_subjects_clock_with_the_zone_named(
    moment: datetime, shown: str, language: str, header: str
) -> None:
    """A subject who opens the CSV reads the clock of the Netherlands, winter and summer,
    not UTC; the header says which clock it is."""
    category = CategoryData(
        key="k",
        label="K",
        fields=(FieldSpec("at", "Aangemeld op", "datetime"),),
        records=rows([{"at": moment}]),
        provided_by_subject=True,
        legal_basis="consent",
    )
    out = io.BytesIO()
    write_csv(category, out, ";", language)
    head, cell = out.getvalue().decode("utf-8-sig").splitlines()
    assert (head, cell) == (f"Aangemeld op ({header})", shown)
    assert datetime.fromisoformat(cell) == moment


def test_a_string_in_a_number_column_cannot_bypass_escaping() -> None:
    category = CategoryData(
        key="k",
        label="K",
        fields=(FieldSpec("n", "N", "integer"),),
        records=rows([{"n": "=1+1"}]),
        provided_by_subject=True,
        legal_basis="consent",
    )
    with pytest.raises(ExportInvalid):
        export(category)


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (FieldSpec("d", "D", "date"), datetime(2024, 1, 1, tzinfo=UTC)),
        (FieldSpec("d", "D", "datetime"), datetime(2024, 1, 1)),
        (FieldSpec("d", "D", "boolean"), 1),
        (FieldSpec("d", "D", "integer"), True),
        (FieldSpec("d", "D", "number"), float("nan")),
    ],
)
def test_values_of_the_wrong_type_are_refused(spec: FieldSpec, value: object) -> None:
    category = CategoryData("k", "K", (spec,), rows([{"d": value}]), True, "consent")
    with pytest.raises(ExportInvalid):
        export(category)


def test_undeclared_fields_are_refused_not_dropped() -> None:
    category = CategoryData(
        "k", "K", (FieldSpec("a", "A"),), rows([{"a": "x", "b": "y"}]), True, "consent"
    )
    with pytest.raises(ExportInvalid):
        export(category)
    same_size = CategoryData(
        "k",
        "K",
        (FieldSpec("a", "A"), FieldSpec("c", "C")),
        rows([{"a": "x", "b": "y"}]),
        True,
        "consent",
    )
    with pytest.raises(ExportInvalid):
        export(same_size)
