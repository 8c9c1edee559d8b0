"""The demo's data sources (issue 7): a CRM database of Bakkerij Jansen (an SQLite file in
the instance folder, with a retention hold on invoices) and an uploaded mailing file."""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import select

from operations.context import Context
from rights.audit import SYSTEM
from rights.models.org import Organisation
from rights.models.source import DataSource
from rights.sources.ingest import ingest_data_file
from rights.sources.registry import load_source, parse_source_toml

DEMO_CRM_TOML = """
slug = "crm-bakkerij-jansen"
name = "Klantenbestand Bakkerij Jansen (CRM)"
kind = "sql"
owner = "bakkerij-jansen"
purposes = ["Klantenadministratie, bestellingen en facturatie"]
legal_basis = ["contract", "legal_obligation"]
categories = ["Contactgegevens", "Bestellingen", "Facturen"]
retention = "Tot 2 jaar na de laatste bestelling; facturen 7 jaar (fiscale bewaarplicht)"
backup_rotation = "35 dagen"
collected_from_subject = true
automated_decisions = false
transfers_outside_eea = false

[labels.columns]
customer_no = { nl = "Klantnummer", en = "Customer number" }
name = { nl = "Naam", en = "Name" }
email = { nl = "E-mailadres", en = "E-mail address" }
phone = { nl = "Telefoonnummer", en = "Phone number" }
street = { nl = "Straat", en = "Street" }
house_number = { nl = "Huisnummer", en = "House number" }
postcode = { nl = "Postcode", en = "Postcode" }
city = { nl = "Woonplaats", en = "Town" }
ordered_on = { nl = "Besteld op", en = "Ordered on", type = "date" }
product = { nl = "Product", en = "Product" }
invoice_no = { nl = "Factuurnummer", en = "Invoice number" }
billing_name = { nl = "Naam op de factuur", en = "Name on the invoice" }
billing_address = { nl = "Factuuradres", en = "Billing address" }
issued_on = { nl = "Factuurdatum", en = "Invoice date", type = "date" }

[labels.columns.amount]
nl = "Bedrag (euro)"
en = "Amount (euros)"
type = "number"
about_nl = "Bedrag inclusief btw"
about_en = "Amount including VAT"

[labels.categories]
Klantgegevens = { nl = "Klantgegevens", en = "Customer details" }
Contactgegevens = { nl = "Contactgegevens", en = "Contact details" }
Bestellingen = { nl = "Bestellingen", en = "Orders" }
Facturen = { nl = "Facturen", en = "Invoices" }

[labels.tables]
customer = { nl = "Klanten", en = "Customers" }
orders = { nl = "Bestellingen", en = "Orders" }
invoice = { nl = "Facturen", en = "Invoices" }

[labels.texts]
"35 dagen" = { nl = "35 dagen", en = "35 days" }

[labels.texts."Klantenadministratie, bestellingen en facturatie"]
nl = "Klantenadministratie, bestellingen en facturatie"
en = "Customer administration, orders and invoicing"

[labels.texts."Tot 2 jaar na de laatste bestelling; facturen 7 jaar (fiscale bewaarplicht)"]
nl = "Tot 2 jaar na de laatste bestelling; facturen 7 jaar (fiscale bewaarplicht)"
en = "Up to 2 years after the last order; invoices 7 years (tax retention duty)"

[labels.texts."7 jaar na het boekjaar"]
nl = "7 jaar na het boekjaar"
en = "7 years after the financial year"

[labels.texts."Art. 17(3)(b) AVG: fiscale bewaarplicht (art. 52 AWR)"]
nl = "Art. 17 lid 3 sub b AVG: fiscale bewaarplicht (art. 52 AWR)"
en = "Art. 17(3)(b) GDPR: tax retention duty (art. 52 of the General Tax Act, AWR)"

[category_info.Klantgegevens]
legal_basis = "contract"
provenance = "provided"

[category_info.Contactgegevens]
legal_basis = "contract"
provenance = "provided"

[category_info.Bestellingen]
legal_basis = "contract"
provenance = "provided"

[category_info.Facturen]
legal_basis = "legal_obligation"
provenance = "provided"

[[recipients]]
name = "Boekhoudkantoor De Telling B.V."
role = "recipient"
contact_email = "privacy@detelling.example"

[[recipients]]
name = "Drukkerij & Mailhuis Voorbeeld B.V."
role = "sub-processor"
contact_email = "privacy@mailhuis.example"

[[tables]]
name = "customer"
primary_key = "id"
erasure = "anonymise"
anonymise = ["name", "email", "phone", "street", "postcode", "house_number", "city"]

[tables.identity]
email = "email"
phone = "phone"
customer_number = "customer_no"
postcode = "postcode"
house_number = "house_number"
name = "name"

[tables.columns]
customer_no = "Klantgegevens"
name = "Contactgegevens"
email = "Contactgegevens"
phone = "Contactgegevens"
street = "Contactgegevens"
postcode = "Contactgegevens"
house_number = "Contactgegevens"
city = "Contactgegevens"

[[tables]]
name = "orders"
primary_key = "id"
link = { column = "customer_id", table = "customer", references = "id" }
columns = { ordered_on = "Bestellingen", product = "Bestellingen", amount = "Bestellingen" }
erasure = "delete"

[[tables]]
name = "invoice"
primary_key = "id"
link = { column = "customer_id", table = "customer", references = "id" }
erasure = "delete"

[tables.columns]
invoice_no = "Facturen"
billing_name = "Facturen"
billing_address = "Facturen"
amount = "Facturen"
issued_on = "Facturen"

[tables.hold]
columns = ["invoice_no", "amount", "issued_on"]
ground = "Art. 17(3)(b) AVG: fiscale bewaarplicht (art. 52 AWR)"
period = "7 jaar na het boekjaar"
"""

DEMO_MAILING_TOML = """
slug = "mailing-bakkerij-jansen"
name = "Mailinglijst Bakkerij Jansen"
kind = "file"
owner = "bakkerij-jansen"
purposes = ["Nieuwsbrief en aanbiedingen per post en e-mail"]
legal_basis = ["consent"]
categories = ["Naam- en adresgegevens", "E-mailadres"]
retention = "Bestand wordt na 30 dagen verwijderd"
source_of_data = "Aangeleverd door Bakkerij Jansen"
automated_decisions = false
transfers_outside_eea = false

[labels.columns]
Klantnummer = { nl = "Klantnummer", en = "Customer number" }
Voornaam = { nl = "Voornaam", en = "First name" }
Achternaam = { nl = "Achternaam", en = "Surname" }
E-mailadres = { nl = "E-mailadres", en = "E-mail address" }
Straat = { nl = "Straat", en = "Street" }
Huisnummer = { nl = "Huisnummer", en = "House number" }
Postcode = { nl = "Postcode", en = "Postcode" }
Woonplaats = { nl = "Woonplaats", en = "Town" }

[labels.categories]
"Naam- en adresgegevens" = { nl = "Naam- en adresgegevens", en = "Name and address" }
E-mailadres = { nl = "E-mailadres", en = "E-mail address" }
"mailing-voorjaar.csv" = { nl = "Mailinglijst voorjaar", en = "Spring mailing list" }

[labels.texts."Nieuwsbrief en aanbiedingen per post en e-mail"]
nl = "Nieuwsbrief en aanbiedingen per post en e-mail"
en = "Newsletter and offers by post and e-mail"

[labels.texts."Bestand wordt na 30 dagen verwijderd"]
nl = "Bestand wordt na 30 dagen verwijderd"
en = "The file is deleted after 30 days"

[labels.texts."Aangeleverd door Bakkerij Jansen"]
nl = "Aangeleverd door Bakkerij Jansen"
en = "Supplied by Bakkerij Jansen"

[category_info."*"]
legal_basis = "consent"
provenance = "provided"

[[recipients]]
name = "Drukkerij & Mailhuis Voorbeeld B.V."
role = "sub-processor"
contact_email = "privacy@mailhuis.example"
"""

DEMO_MAILING_CSV = (
    "Klantnummer;Voornaam;Achternaam;E-mailadres;Straat;Huisnummer;Postcode;Woonplaats\r\n"
    "K-1001;Pieter;Smit;p.smit@example.nl;Dorpsstraat;12;1234 AB;Ons Dorp\r\n"
    "K-1004;Kees;Visser;kees@example.nl;Molenweg;3;1111 AA;Delft\r\n"
    "K-1005;Zoë;Jansen;zoe.jansen@example.nl;Kerkplein;1;9999 ZZ;Utrecht\r\n"
)


def _demo_crm(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            """
            CREATE TABLE customer (id INTEGER PRIMARY KEY, customer_no TEXT, name TEXT,
                email TEXT, phone TEXT, street TEXT, house_number TEXT, postcode TEXT, city TEXT);
            CREATE TABLE orders (id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customer(id),
                ordered_on TEXT, product TEXT, amount NUMERIC);
            CREATE TABLE invoice (id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customer(id), invoice_no TEXT NOT NULL,
                billing_name TEXT NOT NULL, billing_address TEXT, amount NUMERIC NOT NULL,
                issued_on TEXT NOT NULL);
            INSERT INTO customer VALUES
                (1, 'K-1001', 'Pieter Smit', 'P.Smit@example.nl', '06-12345678', 'Dorpsstraat',
                 '12', '1234 AB', 'Ons Dorp'),
                (2, 'K-1002', 'Anna Bakker', 'anna@example.nl', '0687654321', 'Laan', '1',
                 '9999ZZ', 'Stad'),
                (3, 'K-1003', 'Fatima el Amrani', 'fatima@example.nl', NULL, 'Dorpsstraat', '1',
                 '1234 AB', 'Ons Dorp');
            INSERT INTO orders VALUES
                (10, 1, '2025-03-01', 'Volkorenbrood', 3.25),
                (11, 1, '2025-12-20', 'Kersttaart', 24.50),
                (12, 2, '2026-01-05', 'Appeltaart', 12.00);
            INSERT INTO invoice VALUES
                (20, 1, 'F2025-0101', 'Pieter Smit', 'Dorpsstraat 12, 1234 AB Ons Dorp', 27.75,
                 '2025-12-31'),
                (21, 2, 'F2026-0007', 'Anna Bakker', 'Laan 1, 9999 ZZ Stad', 12.00,
                 '2026-01-05');
            """
        )


def load_demo_sources(ctx: Context) -> None:
    """Add the demo CRM database (in the instance folder) and an uploaded mailing file
    (flushes); idempotent, and nothing without the demo's controllers (``load_demo``).

    The subject of the demo erasure request (Pieter Smit) is in both, so discovery finds him
    twice; his invoice is under a 7-year retention hold.
    """
    session, now, key = ctx.session, ctx.now(), ctx.connector_key()
    folder = ctx.settings.instance_path
    if session.scalar(select(DataSource.id).where(DataSource.slug == "crm-bakkerij-jansen")):
        return
    if (
        session.scalar(select(Organisation.id).where(Organisation.slug == "bakkerij-jansen"))
        is None
    ):
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-crm.sqlite"
    if path.exists():
        path.unlink()
    _demo_crm(path)
    load_source(
        session, parse_source_toml(DEMO_CRM_TOML), actor=SYSTEM, now=now, key=key,
        url=f"sqlite:///{path}", policy=ctx.source_url_policy(),
    )  # fmt: skip
    mailing = load_source(
        session, parse_source_toml(DEMO_MAILING_TOML), actor=SYSTEM, now=now, key=key
    )
    ingest_data_file(
        session, mailing, io.BytesIO(DEMO_MAILING_CSV.encode("cp1252")),
        "mailing-voorjaar.csv", actor=SYSTEM, now=now,
    )  # fmt: skip
