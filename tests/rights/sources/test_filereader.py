import codecs
import datetime
import io
import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rights.errors import DataFileError
from rights.sources import FileLimits, open_data_file
from rights.sources.csvreader import sniff_delimiter

DUTCH_EXPORT = (
    "Klantnummer;Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Telefoon;Postcode;Huisnummer;"
    "Toevoeging;Woonplaats;Bedrag\r\n"
    "1001;René;van;Eëkhout;Rene@Example.NL;06-12345678;1234 ab;12;a;Den Haag;€ 12,50\r\n"
    "1002;Zoë;;Janssen;;06 8765 4321;9999ZZ;1;;Utrecht;€ 0,99\r\n"
)


@pytest.fixture
def upload(tmp_path):
    """Write bytes to a real file, open it as the portal would, and close it afterwards."""
    handles = []
    datafiles = []

    def _upload(data, name="upload.csv", **kwargs):
        path = tmp_path / name
        path.write_bytes(data)
        handle = path.open("rb")
        handles.append(handle)
        datafile = open_data_file(handle, name, **kwargs)
        datafiles.append(datafile)
        return datafile

    yield _upload
    for datafile in datafiles:
        datafile.close()
    for handle in handles:
        assert not handle.closed, "the reader must not close the caller's upload"
        handle.close()


def read_all(upload, data, name, kwargs):
    return list(upload(data, name, **kwargs).rows())


def error_of(upload, data, name="upload.csv", **kwargs):
    """Open and read a file that must fail, on open or while streaming; return the error."""
    with pytest.raises(DataFileError) as info:
        read_all(upload, data, name, kwargs)
    return info.value


def xlsx_bytes(fill, title="Klanten"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    fill(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fake_xlsx(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- CSV ------------------------------------------------------------------------------


def test_dutch_excel_export_in_windows_1252(upload):
    datafile = upload(DUTCH_EXPORT.encode("cp1252"))
    assert datafile.details["encoding"] == "cp1252"
    assert datafile.details["delimiter"] == ";"
    assert datafile.column_roles == {
        "Klantnummer": "customer_number",
        "Voornaam": "first_name",
        "Tussenvoegsel": "name_infix",
        "Achternaam": "last_name",
        "E-mailadres": "email",
        "Telefoon": "phone",
        "Postcode": "postcode",
        "Huisnummer": "house_number",
        "Toevoeging": "house_number_addition",
        "Woonplaats": "city",
    }
    rows = list(datafile.rows())
    assert rows[0]["Voornaam"] == "René"
    assert rows[0]["Achternaam"] == "Eëkhout"
    assert rows[0]["Bedrag"] == "€ 12,50"
    first, second = datafile.normalised_rows()
    assert first.row_number == 2
    assert first.emails == ("rene@example.nl",)
    assert first.phones == ("+31612345678",)
    assert first.customer_numbers == ("1001",)
    assert first.address_key == "1234AB:12A"
    assert first.name_key == "rene van eekhout"
    assert first.name_address_key == "rene van eekhout|1234AB:12A"
    assert second.emails == ()
    assert second.phones == ("+31687654321",)


def test_utf8_bom_comma_csv(upload):
    data = codecs.BOM_UTF8 + "email,naam\njan@example.nl,Jan Škoda\n".encode()
    datafile = upload(data)
    assert datafile.details["encoding"] == "utf-8-sig"
    assert datafile.columns == ["email", "naam"]
    assert list(datafile.rows()) == [{"email": "jan@example.nl", "naam": "Jan Škoda"}]


def test_tab_csv_with_trailing_empty_header_cells(upload):
    datafile = upload(b"Mobiel\tRelatienummer\t\t\n0612345678\tR-1\t\t\n", "export.xls")
    assert datafile.details == {"encoding": "utf-8", "delimiter": "\t", "filename_extension": "xls"}
    assert datafile.columns == ["Mobiel", "Relatienummer"]
    assert next(datafile.normalised_rows()).phones == ("+31612345678",)


def test_utf16_csv_as_excel_unicode_text(upload):
    data = "E-mail\tNaam\r\nzoë@example.nl\tZoë\r\n".encode("utf-16")
    datafile = upload(data, "unicode.txt")
    assert datafile.details["encoding"] == "utf-16"
    assert list(datafile.rows()) == [{"E-mail": "zoë@example.nl", "Naam": "Zoë"}]


def test_quoted_fields_keep_delimiters_newlines_and_formulas_as_text(upload):
    data = (
        b'email|opmerking\n"a@example.nl"|"regel 1\nregel 2 | ""quote"""\n'
        b'b@example.nl|=HYPERLINK("x")\n'
    )
    rows = list(upload(data).numbered_rows())
    assert rows == [
        (2, {"email": "a@example.nl", "opmerking": 'regel 1\nregel 2 | "quote"'}),
        (3, {"email": "b@example.nl", "opmerking": '=HYPERLINK("x")'}),
    ]


def test_blank_lines_are_skipped_and_numbered(upload):
    datafile = upload(b"\n\nemail;naam\n\njan@example.nl\n;\n")
    assert datafile.header_row == 3
    assert list(datafile.numbered_rows()) == [(5, {"email": "jan@example.nl", "naam": ""})]


def test_rows_can_be_read_twice(upload):
    datafile = upload(DUTCH_EXPORT.encode("utf-8"))
    assert list(datafile.rows()) == list(datafile.rows())
    assert datafile.check() == 2


def test_unseekable_stream_is_spooled():
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self._inner.readinto(buffer)

    with Stream(b"email\njan@example.nl\n") as stream, open_data_file(stream, "x.csv") as datafile:
        assert list(datafile.rows()) == [{"email": "jan@example.nl"}]


def test_sniffer_sees_a_bounded_sample_of_hostile_quotes(monkeypatch):
    """csv.Sniffer's regexes are super-linear on quote runs: it only ever gets the first
    4 KiB, however long the hostile input (a deterministic check, not a timing)."""
    import csv

    from rights.sources import csvreader

    seen: list[int] = []
    real = csv.Sniffer.sniff

    def sniff(self, sample, delimiters=None):
        seen.append(len(sample))
        return real(self, sample, delimiters)

    monkeypatch.setattr(csv.Sniffer, "sniff", sniff)
    assert sniff_delimiter(',"a' * 20_000) == ","
    assert sniff_delimiter(',"a\n' * 200_000) == ","
    assert seen and max(seen) <= csvreader._SNIFF_CHARS


# --- XLSX -----------------------------------------------------------------------------


def fill_customers(workbook, sheet):
    sheet.append(["Klantnummer", "Naam", "Telefoon", "Geboortedatum", "Totaal"])
    sheet.append([1001, "Jan de Vries", 612345678, datetime.date(1980, 2, 29), "=SUM(1,2)"])
    sheet.append([None, None, None, None, None])
    sheet.append([1002.0, "Zoë", "+31 6 8765 4321", datetime.datetime(2024, 1, 2, 3, 4, 5), 1.5])
    sheet["E4"] = "=E2*2"
    workbook.create_sheet("Tweede").append(["email", "x"])


def test_xlsx_formulas_are_text_and_dates_iso(upload):
    datafile = upload(xlsx_bytes(fill_customers), "klanten.csv")
    assert datafile.kind == "xlsx"
    assert datafile.details["sheet"] == "Klanten"
    assert datafile.column_roles == {
        "Klantnummer": "customer_number",
        "Naam": "name",
        "Telefoon": "phone",
    }
    rows = list(datafile.numbered_rows())
    assert rows == [
        (2, {"Klantnummer": "1001", "Naam": "Jan de Vries", "Telefoon": "612345678",
             "Geboortedatum": "1980-02-29", "Totaal": "=SUM(1,2)"}),
        (4, {"Klantnummer": "1002", "Naam": "Zoë", "Telefoon": "+31 6 8765 4321",
             "Geboortedatum": "2024-01-02T03:04:05", "Totaal": "=E2*2"}),
    ]  # fmt: skip
    assert [row.phones for row in datafile.normalised_rows()] == [
        ("+31612345678",),
        ("+31687654321",),
    ]


def test_xlsx_named_sheet(upload):
    datafile = upload(xlsx_bytes(fill_customers), "klanten.xlsx", sheet="Tweede")
    assert datafile.columns == ["email", "x"]
    assert error_of(upload, xlsx_bytes(fill_customers), "k.xlsx", sheet="Derde").code == "no_sheet"


def test_xlsx_cell_too_long_reports_row(upload):
    def fill(workbook, sheet):
        sheet.append(["email"])
        sheet.append(["a@example.nl"])
        sheet.append(["x" * 101])

    error = error_of(upload, xlsx_bytes(fill), "k.xlsx", limits=FileLimits(max_cell_length=100))
    assert (error.code, error.params["row"]) == ("cell_too_long", 3)


def test_xlsx_cells_right_of_header_are_refused(upload):
    def fill(workbook, sheet):
        sheet.append(["email"])
        sheet["C2"] = "stray"

    error = error_of(upload, xlsx_bytes(fill), "k.xlsx")
    assert (error.code, error.params["row"]) == ("too_many_columns", 2)


def test_zip_bomb_ratio(upload, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = bytes(1024 * 1024)
            for _ in range(64):
                member.write(zeros)
    error = error_of(upload, path.read_bytes(), "bomb.xlsx")
    assert (error.code, error.params["reason"]) == ("zip_bomb", "ratio")


def test_zip_bomb_total_size_and_member_count(upload):
    data = xlsx_bytes(fill_customers)
    too_big = error_of(upload, data, "a.xlsx", limits=FileLimits(max_uncompressed_bytes=1000))
    assert (too_big.code, too_big.params["reason"]) == ("zip_bomb", "size")
    too_many = error_of(upload, data, "b.xlsx", limits=FileLimits(max_zip_members=3))
    assert (too_many.code, too_many.params["reason"]) == ("zip_bomb", "members")


def test_truncated_xlsx(upload):
    data = xlsx_bytes(fill_customers)
    assert error_of(upload, data[: len(data) // 2], "k.xlsx").code == "broken_xlsx"


def test_xlsx_with_invalid_xml(upload):
    data = fake_xlsx({"[Content_Types].xml": "<Types", "xl/workbook.xml": "<<<"})
    assert error_of(upload, data, "k.xlsx").code == "broken_xlsx"


def test_zip_that_is_not_a_workbook(upload):
    data = fake_xlsx({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"})
    error = error_of(upload, data, "k.ods")
    assert (error.code, error.params["detected"]) == ("not_a_data_file", "zip")


# --- Limits and refusals --------------------------------------------------------------


def test_a_million_columns_fail_fast(upload):
    """Refused before a million cells are built: the peak of new allocations stays a small
    multiple of the 2 MB input (a deterministic check, not a timing)."""
    import tracemalloc

    data = b"email" + b";c" * 1_000_000 + b"\n"
    tracemalloc.start()
    try:
        error = error_of(upload, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (error.code, error.params["row"]) == ("too_many_columns", 1)
    # Today about 4 MB; letting csv split the row first costs about 18 MB more.
    assert peak < 12 * 1024 * 1024, peak


def test_too_many_columns_in_a_data_row(upload):
    data = b"email\n" + b"a@example.nl" + b",x" * 300 + b"\n"
    error = error_of(upload, data)
    assert (error.code, error.params["row"]) == ("too_many_columns", 2)
    error = error_of(upload, b"email,naam\na@example.nl,Jan,extra\n")
    assert (error.code, error.params["row"]) == ("too_many_columns", 2)


def test_cell_too_long_mid_stream_keeps_earlier_rows(upload):
    lines = [b"email,opmerking"] + [b"a%d@example.nl,ok" % i for i in range(500)]
    datafile = upload(b"\n".join([*lines, b"b@example.nl," + b"x" * 10_001, b""]))
    received = []
    with pytest.raises(DataFileError) as info:
        received.extend(datafile.rows())
    assert (info.value.code, info.value.params["row"]) == ("cell_too_long", 502)
    assert len(received) == 500


def test_huge_unterminated_quoted_cell_is_bounded(upload):
    error = error_of(upload, b'email\n"' + b"x" * 3_000_000)
    assert error.code in {"cell_too_long", "row_too_long"}
    assert error.params["row"] == 2


def test_too_many_rows_and_too_large(upload):
    data = b"email\n" + b"a@example.nl\n" * 11
    error = error_of(upload, data, limits=FileLimits(max_rows=10))
    assert (error.code, error.params["row"]) == ("too_many_rows", 12)
    assert error_of(upload, data, limits=FileLimits(max_bytes=100)).code == "too_large"


def test_no_identifier_column_and_role_override(upload):
    data = b"Naam;Kenmerk\nJan;K-1\n"
    assert error_of(upload, data).code == "no_identifier_column"
    datafile = upload(data, column_roles={"Kenmerk": "customer_number"})
    assert next(datafile.normalised_rows()).customer_numbers == ("K-1",)
    assert error_of(upload, data, column_roles={"Nope": "email"}).code == "unknown_column"
    assert error_of(upload, data, column_roles={"Kenmerk": "bsn"}).code == "unknown_role"
    no_email = error_of(upload, b"email;naam\nx@example.nl;X\n", column_roles={"email": None})
    assert no_email.code == "no_identifier_column"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b" \r\n\r\n ", "empty"),
        (b"email;email\n", "duplicate_header"),
        (b"email;EMAIL\n", "duplicate_header"),
        (b"email;;naam\n", "empty_header"),
        (b"jan@example.nl;0612345678\n", "no_header"),
        ("email;naam\nJos\xe9;\x81\n".encode("latin-1"), "encoding"),
        (b"email\njan\x00@example.nl\n", "encoding"),
        (codecs.BOM_UTF8 + b"email\n\xe9\n", "encoding"),
        (codecs.BOM_UTF16_LE + b"e\x00m\x00\x00\xd8", "encoding"),
        (codecs.BOM_UTF32_LE + "email".encode("utf-32-le"), "encoding"),
        ("email\njan@example.nl\n".encode("utf-16-le"), "encoding"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not_a_data_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "not_a_data_file"),
        (b"<html><table><tr><td>email</td></tr></table></html>", "not_a_data_file"),
        (bytes(range(1, 32)) * 10, "not_a_data_file"),
    ],
)
def test_refused_files(upload, data, code):
    assert error_of(upload, data).code == code


def test_error_messages_hold_no_file_content(upload):
    error = error_of(upload, b"geheim@example.nl;0612345678\n")
    assert "geheim" not in str(error)
    assert "geheim" not in repr(error.params)


def test_rows_stream_in_constant_memory(upload):
    data = b"email;naam\n" + b"someone@example.nl;Jan de Vries\n" * 20_000
    datafile = upload(data)
    tracemalloc.start()
    try:
        assert datafile.check() == 20_000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(data) / 5


csv_like = st.text(alphabet='email;,\t|"\n\r\x00é€@. 0123456789', max_size=300)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        csv_like.map(str.encode),
        csv_like.map(lambda text: "email;telefoon;naam\n" + text).map(str.encode),
        csv_like.map(lambda text: "email;naam\n" + text).map(lambda text: text.encode("utf-16")),
        st.builds(
            bytes.__add__,
            st.sampled_from([b"PK\x03\x04", b"\xff\xfe", b"\xef\xbb\xbf", b"email\n"]),
            st.binary(max_size=200),
        ),
    )
)
def test_arbitrary_bytes_give_rows_or_a_data_file_error(data):
    codes = []
    try:
        with open_data_file(io.BytesIO(data), "x.csv") as datafile:
            for row in datafile.normalised_rows():
                assert set(row.raw) == set(datafile.columns)
    except DataFileError as error:
        codes.append(error.code)
    assert "data_file_error" not in codes  # every refusal carries a specific code
