"""The package as a document a person reads (docs/package.md): the demo CRM's access
package has a cover, labelled headers in every file (no column name of the source
definition reaches the reader), amounts and dates for the reader's locale, times in
Amsterdam with the zone named, and ``schema/fields.json`` with the stable keys; the
return-of-data package speaks to the controller."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from exporters.from_sources import to_return_package
from exporters.package import build_package
from operations.demo_sources import DEMO_CRM_TOML, _demo_crm
from operations.packages import request_export_package
from rights.audit import SYSTEM
from rights.returns import return_sources
from rights.righttypes import AccessDetails
from rights.sources.copies import export_copies
from rights.sources.definition import parse_source_toml
from rights.sources.registry import load_source
from tests.rights.sources.conftest import KEY
from tests.rights.sources.test_sql_source import PIETER, _discover_and_confirm

NOW = datetime(2026, 3, 10, 13, 5, tzinfo=UTC)
COLUMNS = {
    name
    for table in parse_source_toml(DEMO_CRM_TOML).tables
    for name in (*table.columns, table.primary_key)
}
CODES = ("legal_obligation", "legitimate_interests", "customer_no", "house_number")
# Codes that are also English words: absent from the Dutch package.
ENGLISH_CODES = ("contract", "recipient", "sub-processor", "access", "invoice", "orders")


@pytest.fixture
def crm(db_session, make_org, tmp_path):
    org = make_org(slug="bakkerij-jansen", name="Bakkerij Jansen")
    path = tmp_path / "demo-crm.sqlite"
    _demo_crm(path)
    spec = parse_source_toml(DEMO_CRM_TOML)
    load_source(db_session, spec, actor=SYSTEM, now=NOW, key=KEY, url=f"sqlite:///{path}")
    db_session.commit()
    return org


def _package(db_session, make_request, make_user, org, language):
    request = make_request(
        AccessDetails(), requester=PIETER, language=language, organisation_id=org.id
    )
    _discover_and_confirm(db_session, request, make_user(), NOW)
    copies = export_copies(db_session, request, key=KEY)
    pkg = request_export_package(request, now=NOW, operator_name="Mailhuis", copies=copies)
    pkg = type(pkg)(**{**pkg.__dict__, "available_until": NOW + timedelta(days=30)})
    out = io.BytesIO()
    build_package(pkg, out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _text(html: str) -> str:
    """The visible text of the summary (tags removed; file paths, shown as code, too)."""
    body = re.sub(r"<code>[^<]*</code>", " ", html.split("<body>", 1)[1])
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_access_package_reads_in_words(db_session, make_request, make_user, crm, language):
    archive = _package(db_session, make_request, make_user, crm, language)
    text = _text(archive.read("summary.html").decode())
    words = set(re.findall(r"[\w-]+|\(\w+\)", text))
    assert not COLUMNS & words, COLUMNS & words  # no column name of the definition
    bad = set(CODES + (ENGLISH_CODES if language == "nl" else ())) & words
    assert not bad, bad
    assert "0000000000" not in text
    if language == "nl":
        assert "27.75" not in text and "27,75" in text and "24,50" in text  # Dutch amounts
        assert "31 december 2025" in text  # a text column declared a date
        assert "Nederlandse tijd" in text and "Factuurnummer" in text
        assert "Uitvoering van een overeenkomst" in text and "subverwerker" in text
        for heading in ("Wat er in dit pakket zit", "Zo controleert u het pakket"):
            assert heading in text
        assert "9 april 2026" in text  # how long the link works
    else:
        assert "27.75" in text and "24.50" in text
        assert "31 December 2025" in text and "Amsterdam time" in text
        assert "Invoice number" in text and "Performance of a contract" in text
        assert "How to check the package" in text and "9 April 2026" in text
        # The definition's purposes and retention, written in Dutch, in English words.
        assert "Customer administration, orders and invoicing" in text
        assert "Up to 2 years after the last order" in text and "Klantenadministratie" not in text
    assert "<code>schema/fields.json</code>" in archive.read("summary.html").decode()
    for name in archive.namelist():
        if name.endswith(".csv"):
            header = next(
                csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
            )
            assert not COLUMNS & set(header), (name, header)
    book = load_workbook(io.BytesIO(archive.read("data/package.xlsx")), read_only=True)
    for sheet in book.worksheets[1:]:
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert not COLUMNS & set(header), (sheet.title, header)


def test_the_schema_file_maps_each_stable_key_to_its_label(
    db_session, make_request, make_user, crm
):
    archive = _package(db_session, make_request, make_user, crm, "en")
    fields = json.loads(archive.read("schema/fields.json"))
    assert fields["schema"] == "dsr-portal/package-fields" and fields["version"] == 1
    invoices = next(c for c in fields["categories"] if c["key"] == "invoice.Facturen")
    assert invoices["label"] == "Invoices"
    columns = {c["key"]: c for c in invoices["columns"]}
    assert columns["amount"]["label"] == "Amount (euros)"
    assert columns["amount"]["meaning"] == "Amount including VAT"
    assert columns["issued_on"]["type"] == "date"
    # The CSV file named there has those labels, in that order.
    data = archive.read(invoices["csv"]).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(data), delimiter=";")) == [
        c["label"] for c in invoices["columns"]
    ]
    assert "27.75" in data
    assert "0000000000" not in data
    manifest = json.loads(archive.read("manifest.json"))
    assert "schema/fields.json" in {f["path"] for f in manifest["files"]}


def test_the_return_package_speaks_to_the_controller(db_session, crm):
    opened: list = []
    contents = return_sources(db_session, crm, key=KEY, opened=opened)
    pkg = to_return_package(
        sources=contents.sources, owner=crm.name, reference="RET-1", language="nl",
        created_at=NOW, generated_at=NOW,
    )  # fmt: skip
    out = io.BytesIO()
    build_package(pkg, out)
    for db in opened:
        db.dispose()
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    readme = archive.read("README.txt").decode("utf-8-sig")
    summary = _text(archive.read("summary.html").decode())
    for text in (readme, summary):
        assert "Bakkerij Jansen" in text and "verwerker" in text
        assert "uw verzoek" not in text and "Autoriteit Persoonsgegevens" not in text
        assert "Klacht" not in text
    assert "Verwerkingsverantwoordelijke" in summary
    assert "Facturen" in summary and "invoice" not in summary.split()
