"""Return of data from an SQL source (on SQLite and PostgreSQL): every row of every mapped
table, mapped columns only, streamed through the exporters into a package that verifies."""

from __future__ import annotations

import csv
import io
import zipfile

from exporters.from_sources import to_return_package
from exporters.package import build_package
from exporters.verify import verify_package
from rights.returns import return_sources
from tests.rights.sources.conftest import CUSTOMERS, INVOICES, KEY, ORDERS


def test_every_row_of_every_mapped_table_is_returned(db_session, crm_source, now):
    opened: list = []
    try:
        contents = return_sources(db_session, crm_source.organisation, key=KEY, opened=opened)
        [source] = contents.sources
        tables = {c.label: c for c in source.categories}
        assert sorted(tables) == ["customer", "invoice", "orders"]
        customers = list(tables["customer"].records())
        assert [r["id"] for r in customers] == [str(c["id"]) for c in CUSTOMERS]
        assert [r["email"] for r in customers] == [c["email"] for c in CUSTOMERS]
        assert len(list(tables["orders"].records())) == len(ORDERS)
        invoices = list(tables["invoice"].records())
        assert [r["issued_on"] for r in invoices] == [i["issued_on"].isoformat() for i in INVOICES]

        package = to_return_package(
            sources=contents.sources,
            owner=crm_source.organisation.name,
            reference="RET-TEST",
            language="en",
            created_at=now,
            generated_at=now,
        )
        out = io.BytesIO()
        build_package(package, out, ("csv", "xlsx", "json", "html"))
    finally:
        for db in opened:
            db.dispose()
    out.seek(0)
    assert verify_package(out).ok
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        [customer_csv] = [n for n in names if n.endswith("customer.csv")]
        rows = list(
            csv.DictReader(
                io.StringIO(archive.read(customer_csv).decode("utf-8-sig")), delimiter=";"
            )
        )
        readme = archive.read("README.txt").decode("utf-8-sig")
    assert len(rows) == len(CUSTOMERS)
    assert "Return of data" in readme
