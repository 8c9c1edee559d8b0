"""A small CRM database built by the tests, on SQLite and (when reachable) PostgreSQL, and a
data source mapped onto it; a data file source; and a source adapter that fails mid-write."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rights.audit import SYSTEM
from rights.crypto import parse_key
from rights.engine import normalise_url
from rights.errors import SourceError
from rights.models.org import Organisation, OrganisationKind
from rights.models.source import DataSource, SourceKind
from rights.sources.adapters import ADAPTERS, SourceAdapter, SourceView
from rights.sources.definition import parse_source_toml
from rights.sources.plans import Op
from rights.sources.registry import load_source

KEY = parse_key("qh1r3xq6O3qV7mS0b1aQn8f1cH4m2bC3dE5fG6hJ7kA")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

CRM_TOML = """
slug = "crm-{suffix}"
name = "Klantenbestand"
kind = "sql"
owner = "{owner}"
purposes = ["Klantenadministratie en facturatie"]
legal_basis = ["contract", "legal_obligation"]
categories = ["Contactgegevens", "Bestellingen", "Facturen"]
retention = "2 jaar na de laatste bestelling; facturen 7 jaar"
backup_rotation = "35 dagen"

[[recipients]]
name = "Boekhouder B.V."
role = "recipient"
contact_email = "privacy@boekhouder.example"

[[recipients]]
name = "Hosting Noord B.V."
role = "sub-processor"
contact_email = "dpo@hosting.example"

[[tables]]
name = "customer"
primary_key = "id"
identity = {{ email = "email", phone = "phone", customer_number = "customer_no", postcode = "postcode", house_number = "house_number", name = "name" }}
columns = {{ customer_no = "Klantgegevens", name = "Contactgegevens", email = "Contactgegevens", phone = "Contactgegevens", postcode = "Contactgegevens", house_number = "Contactgegevens" }}
erasure = "anonymise"
anonymise = ["name", "email", "phone", "postcode", "house_number"]
restrict_column = "restricted"

[[tables]]
name = "orders"
primary_key = "id"
link = {{ column = "customer_id", table = "customer", references = "id" }}
columns = {{ product = "Bestellingen", amount = "Bestellingen" }}
erasure = "delete"

[[tables]]
name = "invoice"
primary_key = "id"
link = {{ column = "customer_id", table = "customer", references = "id" }}
columns = {{ invoice_no = "Facturen", billing_name = "Facturen", billing_address = "Facturen", amount = "Facturen", issued_on = "Facturen" }}
erasure = "delete"
hold = {{ columns = ["invoice_no", "amount", "issued_on"], ground = "Art. 17(3)(b): fiscale bewaarplicht (art. 52 AWR)", period = "7 jaar" }}
"""


def crm_metadata() -> tuple[MetaData, Table, Table, Table]:
    md = MetaData()
    customer = Table(
        "customer",
        md,
        Column("id", Integer, primary_key=True),
        Column("customer_no", String(20)),
        Column("name", String(100)),
        Column("email", String(200)),
        Column("phone", String(30)),
        Column("postcode", String(10)),
        Column("house_number", String(10)),
        Column("restricted", Boolean, nullable=False, default=False),
    )
    orders = Table(
        "orders",
        md,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customer.id"), nullable=False),
        Column("product", String(100)),
        Column("amount", Numeric(10, 2)),
    )
    invoice = Table(
        "invoice",
        md,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customer.id"), nullable=False),
        Column("invoice_no", String(20), nullable=False),
        Column("billing_name", String(100), nullable=False),
        Column("billing_address", String(200)),
        Column("amount", Numeric(10, 2), nullable=False),
        Column("issued_on", Date, nullable=False),
    )
    return md, customer, orders, invoice


CUSTOMERS = [
    {"id": 1, "customer_no": "K-1001", "name": "Pieter Smit", "email": "P.Smit@Example.nl",
     "phone": "06-12345678", "postcode": "1234 AB", "house_number": "12", "restricted": False},
    {"id": 2, "customer_no": "K-1002", "name": "Anna Bakker", "email": "anna@example.nl",
     "phone": "0687654321", "postcode": "9999ZZ", "house_number": "1", "restricted": False},
    {"id": 3, "customer_no": "K-1003", "name": "Piet Smit", "email": "other@example.nl",
     "phone": None, "postcode": "1234AB", "house_number": "12", "restricted": False},
]  # fmt: skip
ORDERS = [
    {"id": 10, "customer_id": 1, "product": "Brood", "amount": 3},
    {"id": 11, "customer_id": 1, "product": "Taart", "amount": 20},
    {"id": 12, "customer_id": 2, "product": "Koek", "amount": 2},
]
INVOICES = [
    {"id": 20, "customer_id": 1, "invoice_no": "F-1", "billing_name": "Pieter Smit",
     "billing_address": "Dorpsstraat 12, 1234 AB Dorp", "amount": 23, "issued_on": date(2025, 1, 2)},
    {"id": 21, "customer_id": 2, "invoice_no": "F-2", "billing_name": "Anna Bakker",
     "billing_address": "Laan 1, 9999 ZZ Stad", "amount": 2, "issued_on": date(2025, 2, 3)},
]  # fmt: skip


def build_crm(url: str) -> None:
    engine = create_engine(url)
    md, customer, orders, invoice = crm_metadata()
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(customer.insert(), CUSTOMERS)
        conn.execute(orders.insert(), ORDERS)
        conn.execute(invoice.insert(), INVOICES)
    engine.dispose()


def _pg_base() -> str | None:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = DEFAULT_PG
    import psycopg

    try:
        with psycopg.connect(base, connect_timeout=2) as conn:
            conn.execute("select 1")
    except psycopg.Error:
        return None
    return normalise_url(base)


@pytest.fixture(params=["sqlite", "postgresql"])
def crm_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A CRM database with three customers, their orders and invoices."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
        build_crm(url)
        yield url
        return
    base = _pg_base()
    if base is None:
        pytest.skip("no PostgreSQL server reachable")
    name = f"crm_test_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    build_crm(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def crm_source(
    db_session: Session, crm_url: str, make_org: Callable[..., Organisation], now: datetime
) -> DataSource:
    # The operator's own CRM: these tests are about the sources, not about a controller's
    # approval (tests/rights/controllers).
    org = make_org(OrganisationKind.OPERATOR)
    spec = parse_source_toml(CRM_TOML.format(suffix=secrets.token_hex(3), owner=org.slug))
    source = load_source(db_session, spec, actor=SYSTEM, now=now, key=KEY, url=crm_url)
    db_session.commit()
    return source


def crm_rows(url: str, table: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [
            dict(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings()
        ]
    engine.dispose()
    return rows


def aware(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# A controller's data file as Dutch offices export it: semicolons, Windows-1252.
DUTCH_CSV = (
    "Klantnummer;Voornaam;Achternaam;E-mailadres;Telefoon;Postcode;Huisnummer;Woonplaats\r\n"
    "1001;René;Eëkhout;Rene@Example.NL;06-12345678;1234 ab;12;Den Haag\r\n"
    "1002;Zoë;Janssen;;06 8765 4321;9999ZZ;1;Utrecht\r\n"
    "1003;Kees;Visser;kees@example.nl;;1111AA;3;Delft\r\n"
).encode("cp1252")


@pytest.fixture
def file_source(
    db_session: Session, make_org: Callable[..., Organisation], now: datetime
) -> DataSource:
    org = make_org(OrganisationKind.OPERATOR, data_file_retention_days=30)
    source = DataSource(
        slug=f"mailing-{org.slug}", name="Mailingbestand", kind=SourceKind.FILE,
        organisation_id=org.id, purposes=["Direct marketing"], legal_basis=["consent"],
        recipients=[{"name": "Mailhuis", "role": "sub-processor",
                     "contact_email": "privacy@mailhuis.example", "country": ""}],
        created_at=now, updated_at=now,
    )  # fmt: skip
    db_session.add(source)
    db_session.commit()
    return source


class FailingView:
    """A source view that writes like the real one, then fails at write number ``after + 1``."""

    def __init__(self, view: SourceView, after: int) -> None:
        self.view = view
        self.after = after
        self.written = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view, name)

    def write(self, op: Op) -> None:
        if self.written >= self.after:
            raise SourceError("Injected failure.", code="query_failed")
        self.view.write(op)
        self.written += 1


class FailingAdapter:
    """The real adapter of a kind, whose views fail after ``after`` writes."""

    def __init__(self, real: SourceAdapter, after: int) -> None:
        self.real = real
        self.after = after
        self.views: list[FailingView] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    @contextmanager
    def open(self, *args: Any, **kwargs: Any) -> Iterator[FailingView]:
        with self.real.open(*args, **kwargs) as view:
            failing = FailingView(view, self.after)
            self.views.append(failing)
            yield failing


@pytest.fixture
def failing_writes() -> Callable[..., AbstractContextManager[FailingAdapter]]:
    """``with failing_writes(SourceKind.SQL, after=2) as adapter:`` swaps the kind's adapter
    in the registry for one that fails after that many writes, and puts the real one back."""

    @contextmanager
    def swap(kind: SourceKind, *, after: int) -> Iterator[FailingAdapter]:
        real = ADAPTERS[kind]
        ADAPTERS[kind] = failing = FailingAdapter(real, after)
        try:
            yield failing
        finally:
            ADAPTERS[kind] = real

    return swap
