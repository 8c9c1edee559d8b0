import dataclasses
import io
from datetime import UTC, datetime

import openpyxl
import pytest

from exporters.model import CategoryData, ExportPackage, FieldSpec, rows
from exporters.xlsx_format import MAX_SHEET_NAME, sheet_name, write_xlsx
from tests.exporters.conftest import CONTACT_FIELDS, TRIGGER_VALUES, contact_records, make_package
from tests.exporters.roundtrip import expected_xlsx, xlsx_values


def export(pkg: ExportPackage) -> openpyxl.Workbook:
    out = io.BytesIO()
    write_xlsx(pkg, out)
    out.seek(0)
    return openpyxl.load_workbook(out)


def hostile_package() -> ExportPackage:
    """Triggers everywhere: values, labels, names, texts of the Information sheet."""
    pkg = make_package()
    source = pkg.sources[0]
    hostile = CategoryData(
        key="hostile",
        label="=Evil",
        fields=tuple(FieldSpec(f"f{i}", v, "string") for i, v in enumerate(TRIGGER_VALUES)),
        records=rows([{f"f{i}": v for i, v in enumerate(TRIGGER_VALUES)}]),
        provided_by_subject=True,
        legal_basis="consent",
    )
    evil_info = dataclasses.replace(source.info, purposes=["=1+1"], retention="@SUM(A1)")
    evil = dataclasses.replace(
        source, name="=Source", owner="-3", info=evil_info, categories=[*source.categories, hostile]
    )
    return dataclasses.replace(pkg, subject_name="+31 6", reference="=REF", sources=[evil])


def test_no_cell_is_ever_a_formula() -> None:
    workbook = export(hostile_package())
    cells = [c for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for cell in cells:
        if isinstance(cell.value, str):
            assert cell.value[:1] not in {"=", "+", "-", "@", "\t", "\r", "\n"}


def test_trigger_values_are_stored_escaped_as_strings() -> None:
    sheet = export(hostile_package())["=Evil"]
    header, values = list(sheet.iter_rows(max_row=2))
    for cell, value in zip(values, TRIGGER_VALUES, strict=True):
        assert cell.data_type == "s"
        assert cell.value == ("'" + value).replace("\r", "\n")
    assert next(c.value for c in header) == "'=1+1"


def test_round_trip_gives_the_source_records_with_real_dates() -> None:
    sheet = export(make_package())["Contactgegevens"]
    data = [xlsx_values(row, CONTACT_FIELDS) for row in sheet.iter_rows(min_row=2)]
    assert data == [expected_xlsx(r, CONTACT_FIELDS) for r in contact_records()]
    born = sheet.cell(row=2, column=3)
    assert born.is_date
    assert born.number_format == "yyyy-mm-dd"


def test_header_is_bold_and_columns_have_widths() -> None:
    sheet = export(make_package())["Contactgegevens"]
    header = next(sheet.iter_rows(max_row=1))
    assert [c.value for c in header][3] == "Aangemeld op (Nederlandse tijd)"
    assert all(c.font.bold for c in header)
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["C"].width >= 12


def test_information_sheet_comes_first_with_the_article_15_information() -> None:
    workbook = export(make_package(language="en"))
    assert workbook.sheetnames[0] == "Information"
    text = [c.value for row in workbook["Information"].iter_rows() for c in row if c.value]
    assert "Nieuwsbrief versturen" in text
    assert "MailCo B.V. (subverwerker)" in text
    assert any("Autoriteit Persoonsgegevens" in str(v) for v in text)


def test_error_codes_and_control_characters_stay_text() -> None:
    pkg = make_package()
    odd = CategoryData(
        "odd",
        "Odd",
        (FieldSpec("v", "V"),),
        rows([{"v": "#N/A"}, {"v": "a\x00b\x1fc"}]),
        True,
        "consent",
    )
    source = dataclasses.replace(pkg.sources[0], categories=[odd])
    sheet = export(dataclasses.replace(pkg, sources=[source]))["Odd"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [("'#N/A", "s"), ("a\ufffdb\ufffdc", "s")]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Contact"], ["Contact"]),
        (["a/b:c*d?[e]\\f"], ["a b c d  e  f"]),
        (["'quoted'"], ["quoted"]),
        (["History"], ["History 1"]),
        (["", "   "], ["Sheet", "Sheet-2"]),
        (["Naam", "naam", "NAAM"], ["Naam", "naam-2", "NAAM-3"]),
        (["x" * 40, "x" * 40], ["x" * 31, "x" * 29 + "-2"]),
    ],
)
def test_sheet_names_follow_excel_rules(labels: list[str], expected: list[str]) -> None:
    taken: set[str] = set()
    names = [sheet_name(label, taken) for label in labels]
    assert names == expected
    assert all(1 <= len(n) <= MAX_SHEET_NAME for n in names)


def test_workbook_bytes_are_reproducible() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(make_package(), first)
    write_xlsx(make_package(), second)
    assert first.getvalue() == second.getvalue()


@pytest.mark.parametrize(
    ("moment", "clock"),
    [
        (datetime(2026, 12, 1, 13, 5, tzinfo=UTC), datetime(2026, 12, 1, 14, 5)),
        (datetime(2026, 7, 1, 13, 5, tzinfo=UTC), datetime(2026, 7, 1, 15, 5)),
    ],
)
@pytest.mark.parametrize(
    ("language", "zone"), [("nl", "Nederlandse tijd"), ("en", "Amsterdam time")]
)
def test_a_time_reads_as_the_subjects_clock_under_a_header_naming_it(
    moment: datetime, clock: datetime, language: str, zone: str
) -> None:
    """13:05 UTC is 14:05 in December and 15:05 in July on the subject's clock."""
    pkg = make_package(language=language)
    source = pkg.sources[0]
    times = CategoryData(
        key="times",
        label="Tijden",
        fields=(FieldSpec("at", "Aangemeld op", "datetime"),),
        records=rows([{"at": moment}]),
        provided_by_subject=True,
        legal_basis="consent",
    )
    pkg = dataclasses.replace(pkg, sources=[dataclasses.replace(source, categories=[times])])
    sheet = export(pkg)["Tijden"]
    header, cell = next(sheet.iter_rows(max_row=2, min_row=1)), sheet.cell(row=2, column=1)
    assert header[0].value == f"Aangemeld op ({zone})"
    assert (cell.value, cell.is_date) == (clock, True)
