"""Demo data for ``make run``: the operator, two controllers with designated contacts,
officers, an admin, a controller contact, and requests in different states."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import requests as ops
from rights.audit import SYSTEM, Actor
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import Channel
from rights.policy import Policy
from rights.righttypes import (
    AccessDetails,
    Details,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
)
from rights.users import create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, never in production


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str


DEMO_USERS = (
    ("officer@demo.example", "Olga Officier", Role.OFFICER, None),
    ("officer2@demo.example", "Tom Tweede", Role.OFFICER, None),
    ("admin@demo.example", "Anna Admin", Role.ADMIN, None),
    ("contact@bakkerij-jansen.example", "Jan Jansen", Role.CONTROLLER, "bakkerij-jansen"),
    ("privacy@sportclub-zuid.example", "Sara de Vries", Role.CONTROLLER, "sportclub-zuid"),
)


def _org(session: Session, now: datetime, **kw: object) -> Organisation:
    org = Organisation(created_at=now, **kw)
    session.add(org)
    return org


def load_demo(session: Session, *, now: datetime, policy: Policy) -> list[DemoLogin]:
    """Create the demo world once; a second call changes nothing and returns the logins."""
    logins = [DemoLogin(e, r.value, DEMO_PASSWORD) for e, _, r, _ in DEMO_USERS]
    if session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])) is not None:
        return logins
    operator = _org(
        session,
        now,
        kind=OrganisationKind.OPERATOR,
        name="Drukkerij & Mailhuis Voorbeeld B.V.",
        slug="operator",
        contact_name="Privacy desk",
        contact_email="privacy@mailhuis.example",
        address="Postbus 123, 1000 AB Amsterdam",
        website="https://mailhuis.example",
    )
    orgs = {
        "bakkerij-jansen": _org(
            session,
            now,
            kind=OrganisationKind.CONTROLLER,
            name="Bakkerij Jansen",
            slug="bakkerij-jansen",
            contact_name="Jan Jansen",
            contact_email="contact@bakkerij-jansen.example",
            listed_publicly=True,
        ),
        "sportclub-zuid": _org(
            session,
            now,
            kind=OrganisationKind.CONTROLLER,
            name="Sportclub Zuid",
            slug="sportclub-zuid",
            contact_name="Sara de Vries",
            contact_email="privacy@sportclub-zuid.example",
            listed_publicly=True,
        ),
    }
    session.flush()
    for email, name, role, org_slug in DEMO_USERS:
        create_user(
            session,
            email=email,
            name=name,
            role=role,
            now=now,
            actor=SYSTEM,
            password=DEMO_PASSWORD,
            organisation=orgs[org_slug] if org_slug else None,
        )
    officer = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    assert officer is not None
    samples = [
        (AccessDetails(), "Eva de Boer", "eva.deboer@example.nl", None, 3, Channel.WEB, True),
        (
            ErasureDetails(ground="d"),
            "Pieter Smit",
            "p.smit@example.nl",
            "bakkerij-jansen",
            12,
            Channel.EMAIL,
            False,
        ),
        (
            RectificationDetails(
                which_data="Adres", current_value="Dorpsstraat 1", correct_value="Dorpsstraat 11"
            ),
            "Fatima el Amrani",
            "fatima@example.nl",
            "sportclub-zuid",
            25,
            Channel.POST,
            False,
        ),
        (
            ObjectionDetails(basis="direct_marketing"),
            "Kees Visser",
            "kees@example.nl",
            "bakkerij-jansen",
            1,
            Channel.WEB,
            False,
        ),
        (
            PortabilityDetails(format="csv"),
            "Lotte Mulder",
            "lotte@example.nl",
            None,
            6,
            Channel.PHONE,
            False,
        ),
    ]
    made = []
    for details, name, email, org_slug, days_ago, channel, waits in samples:
        received = now - timedelta(days=days_ago, hours=3)
        intake = ops.Intake(
            right=details.kind,
            details=details,
            requester=ops.Requester(name=name, email=email),
            received_at=received,
            channel=channel,
            language="nl",
            organisation_id=(orgs[org_slug].id if org_slug else operator.id),
        )
        request = ops.create_request(
            session, intake, actor=Actor.user(officer.id), now=now, policy=policy
        )
        made.append(request)
        if waits:
            continue
        if channel is Channel.WEB:
            ops.confirm_email(session, request, now=now)
    actor = Actor.user(officer.id)
    ops.extend(
        session,
        made[1],
        "complexity",
        "Gegevens staan verspreid over drie systemen van de opdrachtgever.",
        actor=actor,
        now=now,
    )
    ops.suspend(
        session,
        made[2],
        "identity",
        "Kunt u uw oude adres bevestigen?",
        actor=actor,
        now=now,
        policy=policy,
    )
    _workspace_samples(session, now=now, policy=policy, officer=officer, orgs=orgs)
    return logins


# -- Data sources (issue 7): a CRM database and an uploaded mailing file -----------------

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
    import sqlite3

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


def load_demo_sources(session: Session, *, now: datetime, folder: Path, key: bytes) -> None:
    """Add the demo CRM database (in ``folder``) and an uploaded mailing file; idempotent.

    The subject of the demo erasure request (Pieter Smit) is in both, so discovery finds him
    twice; his invoice is under a 7-year retention hold.
    """
    import io

    from rights.models.source import DataSource
    from rights.sources.ingest import ingest_data_file
    from rights.sources.registry import load_source, parse_source_toml

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
        url=f"sqlite:///{path}",
    )  # fmt: skip
    mailing = load_source(
        session, parse_source_toml(DEMO_MAILING_TOML), actor=SYSTEM, now=now, key=key
    )
    ingest_data_file(
        session, mailing, io.BytesIO(DEMO_MAILING_CSV.encode("cp1252")),
        "mailing-voorjaar.csv", actor=SYSTEM, now=now,
    )  # fmt: skip


def _workspace_samples(
    session: Session,
    *,
    now: datetime,
    policy: Policy,
    officer: User,
    orgs: dict[str, Organisation],
) -> None:
    """The officer's workspace: a request assigned to the demo officer and ready to be
    extended and answered, one overdue, one due in a few days, and answered ones for the
    dashboard (issue 6)."""
    from rights import answers, lifecycle
    from rights.models.request import Outcome, RequestState, RightsRequest

    actor = Actor.user(officer.id)
    bakker = orgs["bakkerij-jansen"].id
    sport = orgs["sportclub-zuid"].id

    def make(days_ago: int, name: str, email: str, org: int, details: Details) -> RightsRequest:
        intake = ops.Intake(
            right=details.kind,
            details=details,
            requester=ops.Requester(name=name, email=email),
            received_at=now - timedelta(days=days_ago, hours=2),
            channel=Channel.EMAIL,
            language="nl",
            organisation_id=org,
        )
        return ops.create_request(session, intake, actor=actor, now=now, policy=policy)

    ready = make(4, "Noor Bakker", "noor@example.nl", bakker, RectificationDetails())  # no copy
    ready.assignee_id = officer.id
    lifecycle.transition(session, ready, RequestState.IN_PROGRESS, actor=actor, now=now)
    make(40, "Henk de Jong", "henk@example.nl", sport, AccessDetails())  # overdue
    make(27, "Iris Peters", "iris@example.nl", bakker, ErasureDetails(ground="a"))  # due soon
    for days_ago, outcome, grounds in (
        (20, Outcome.FULFILLED, []),
        (34, Outcome.PARTIALLY_FULFILLED, ["art_15_4"]),
    ):
        kind = RectificationDetails() if grounds == [] else AccessDetails()  # access: a copy
        done = make(days_ago, "Demo Betrokkene", "demo@example.nl", sport, kind)
        letter = answers.prepare_answer(
            session,
            done,
            outcome,
            grounds,
            "Demo." if grounds else "",
            "Beste Demo Betrokkene,\n\nHierbij ons antwoord.",
            actor=actor,
            now=now,
        )
        answers.send_answer(session, done, letter, actor=actor, now=now)
