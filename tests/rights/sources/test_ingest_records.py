"""The ingest stores, for every row, what ``normalise_row`` finds in the row's dictionary
(the row plan, the checked cells and the JSON of the values are proven piece by piece on
generated input in ``tests/rights/test_identifier_row_plan.py``; this is the whole path)."""

from __future__ import annotations

import io

from sqlalchemy import select

from rights.audit import SYSTEM
from rights.models.source import DataRecord
from rights.sources.filereader import open_data_file
from rights.sources.ingest import ingest_data_file
from tests.rights.test_identifier_row_plan import _stored

CSV = (
    "Klantnr;Voornaam;Tussenvoegsel;Achternaam;E-mail;E-mail 2;Mobiel;Telefoon;Postcode;"
    "Huisnummer;Toevoeging;Plaats\r\n"
    "K1;Jan;de;Vries;;jan@example.nl;06-12345678;;1234 ab;12;a;Utrecht\r\n"
    " k-2 ;\u00a0Ank\u00e9 ;;Bakker;geen;A.Bakker@Example.NL;020-1234567;+31 6 1234 5678;"
    "1234AB; 012 ;;\r\n"
    ";;;;;;;;;;;\r\n"
    "K3;;;;x@localhost;;;;9999 zz;7;2hg\r\n"
)


def test_an_ingested_file_stores_what_normalise_row_finds(db_session, file_source, now) -> None:
    """The whole path (reader, checked cells, row plan, JSON, writer) on a file with
    repeated roles, an addition column, names in parts and a blank row."""
    upload = ingest_data_file(
        db_session, file_source, io.BytesIO(CSV.encode("cp1252")), "k.csv", actor=SYSTEM, now=now
    )
    stored = db_session.execute(
        select(
            DataRecord.row_number, DataRecord.values, DataRecord.email, DataRecord.phone,
            DataRecord.customer_number, DataRecord.address_key, DataRecord.name_key,
        ).where(DataRecord.file_id == upload.id).order_by(DataRecord.row_number)
    ).all()  # fmt: skip
    with open_data_file(io.BytesIO(CSV.encode("cp1252")), "k.csv") as datafile:
        expected = [
            (number, values, *_stored(values, datafile.column_roles, "NL"))
            for number, values in datafile.numbered_rows()
        ]
    assert [tuple(row) for row in stored] == expected
    assert [row[0] for row in stored] == [2, 3, 5]
    assert stored[0][2:] == ("jan@example.nl", "+31612345678", "K1", "1234AB:12A", "jan de vries")
