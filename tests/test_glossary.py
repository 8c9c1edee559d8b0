"""The glossary check over the demo walk (issue 14): every page a subject, an officer, a
controller contact and an admin reaches from the demo by following links, in Dutch and in
English, and every mail in the outbox rendered in its own language, reads in words: no
code, no column name, no enum value, no word of the other language (tests/glossary.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from operations import demo
from portal.delivery.demo import load_demo_package
from portal.mail import render
from portal.public.verify import status_token
from rights.models.mail import OutboxMail
from rights.models.org import Organisation, User
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SourceKind, SubjectMatch
from rights.requests import Requester
from rights.righttypes import AccessDetails, RightType
from tests.glossary import (
    assert_in_words,
    iso_dates,
    problems,
    raw_names,
    unzoned_times,
    visible_text,
)

pytestmark = pytest.mark.slow

# Pages that are not for reading (files, language switch, log-out) or that only repeat a
# pattern already read: at most PER_PATTERN pages of one URL shape.
SKIP = re.compile(r"^/(?:lang/|auth/logout|static/)|\.(?:zip|csv|json|xlsx|pdf|eml)$|/export")
# Configuration shown on purpose: the admin's source definitions name columns and tables
# next to their labels (docs/architecture.md, "Texts and labels").
CONFIGURATION = re.compile(r"^/staff/sources/")
PER_PATTERN = 2
# The demo's own content (people's names, organisations, what the demo people wrote): read
# as it was written, in whatever language that was.
DEMO_TEXT = (
    "Drukkerij & Mailhuis Voorbeeld B.V.",
    "Gegevens staan verspreid over drie systemen van de opdrachtgever.",
    "Kunt u uw oude adres bevestigen?",
    "Beste Demo Betrokkene,",
    "Hierbij ons antwoord.",
    "Drukken en versturen van de nieuwsbrief",
    "Hosting van het klantenbestand",
    "Verzenden van de ledenpost",
    "Demo Betrokkene",
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _shape(path: str) -> str:
    path = re.sub(r"AVG-[0-9A-Z]{4}-[0-9A-Z]{4}", "REF", path)
    path = re.sub(r"/\d+(?=/|$)", "/N", path)
    return re.sub(r"/[A-Za-z0-9_-]{20,}(?=/|$)", "/TOKEN", path)


def _crawl(client, starts: list[str], limit: int = 150) -> Iterator[tuple[str, str]]:
    """Every HTML page reachable by GET from ``starts`` on this site (at most ``limit``)."""
    queue, seen, shapes = list(starts), set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        shape = _shape(urlsplit(path).path)
        if path in seen or SKIP.search(urlsplit(path).path):
            continue
        if path not in starts and shapes.get(shape, 0) >= PER_PATTERN:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        resp = client.get(path)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        html = resp.get_data(as_text=True)
        yield path, html
        links = _Links()
        links.feed(html)
        for href in links.hrefs:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc == "localhost" and target.scheme == "http":
                queue.append(target.path + (f"?{target.query}" if target.query else ""))


def _demo_words(db_session) -> list[str]:
    """Names and free texts of the demo world (they are content, not the product's words)."""
    names = [u.name for u in db_session.scalars(select(User))]
    for org in db_session.scalars(select(Organisation)):
        names += [org.name, org.contact_name or "", org.address or ""]
    for source in db_session.scalars(select(DataSource)):  # what the definition says
        names += [source.name, source.retention, source.source_of_data, source.backup_rotation]
        names += [*source.purposes, *source.categories]
        names += [r.get("name", "") for r in source.recipients]
        for table in source.mapping.get("tables", []):
            hold = table.get("hold") or {}
            names += [str(hold.get("ground", "")), str(hold.get("period", ""))]
    names += [r.requester_name for r in db_session.scalars(select(RightsRequest))]
    return [*DEMO_TEXT, *names]


@pytest.fixture
def demo_world(app, db_session, make_request):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        download = load_demo_package(db_session, app)
    db_session.commit()
    # A parent asks for their child: the representative's details on the case page.
    make_request(
        AccessDetails(scope="all"),
        requester=Requester(name="Mila Jansen", email="ouder@example.nl"),
        representative={"name": "Rob Jansen", "email": "ouder@example.nl", "phone": "",
                        "relationship": "parent", "subject_email": "", "child_age": "review"},
    )  # fmt: skip
    return download


def _source_names(db_session) -> dict[str, set[str]]:
    """The labelled column and table names of the demo's source definitions."""
    names: dict[str, set[str]] = {"code": set(), "nl": set(), "en": set()}
    for source in db_session.scalars(select(DataSource)):
        for key, found in raw_names((source.mapping or {}).get("labels") or {}).items():
            names[key] |= found
    return names


# The found records and the plan as the data and plan pages showed them before labels.
OLD_DATA_PAGE = (
    '<td><code class="tag">customer #12</code> <code>email</code>: p.smit@example.nl; '
    "<code>house_number</code>: 12</td>"
    "<td><code>invoice #3</code></td><td><code>billing_name</code>, <code>name</code></td>"
)
OLD_PLAN_PAGE = (
    "<td>Verwijder het record</td><td>een gekoppeld record in <code>orders</code></td>"
    "<td><code>amount</code></td>"
)
NEW_DATA_PAGE = (
    '<td><span class="tag"><span class="raw-name" title="customer #12">Klanten (record 12)'
    '</span></span> <span class="raw-name" title="email">E-mailadres</span>: '
    "p.smit@example.nl</td>"
)


def test_the_checker_finds_raw_column_and_table_names():
    labels = {
        "columns": {
            "email": {"nl": "E-mailadres", "en": "E-mail address"},
            "house_number": {"nl": "Huisnummer", "en": "House number"},
            "billing_name": {"nl": "Naam op de factuur", "en": "Name on the invoice"},
            "name": {"nl": "Naam", "en": "Name"},
            "amount": {"nl": "Bedrag", "en": "Amount"},
            "Postcode": {"nl": "Postcode", "en": "Postcode"},
        },
        "tables": {
            "customer": {"nl": "Klanten", "en": "Customers"},
            "invoice": {"nl": "Facturen", "en": "Invoices"},
            "orders": {"nl": "Bestellingen", "en": "Orders"},
        },
    }
    names = raw_names(labels)
    for language in ("nl", "en"):
        found = {p.found for p in problems(OLD_DATA_PAGE, language, names=names)
                 if p.kind == "column"}  # fmt: skip
        assert found == {"customer", "email", "house_number", "invoice", "billing_name", "name"}
        assert {p.found for p in problems(OLD_PLAN_PAGE, language, names=names)} >= {
            "orders",
            "amount",
        }
        assert problems(NEW_DATA_PAGE, language, names=names) == []
    # In the text: a snake_case name in any language, an English table name in Dutch.
    assert [p.found for p in problems("<p>Kept: invoice</p>", "nl", names=names)
            if p.kind == "column"] == ["invoice"]  # fmt: skip
    assert problems("<p>The invoice and the amount.</p>", "en", names=names) == []
    assert problems("<p>Postcode: 1234 AB</p>", "nl", names=names) == []


def test_the_date_check_finds_iso_dates_a_person_would_read():
    assert [p.found for p in iso_dates("<p>uiterlijk 2026-03-12</p>")] == ["2026-03-12"]
    assert [p.found for p in iso_dates("om 2026-03-12T10:00:00Z", html=False)] == [
        "2026-03-12T10:00:00Z"
    ]
    assert iso_dates('<time datetime="2026-03-12">12 maart 2026</time>') == []
    assert iso_dates("https://x.example/register-2026-03-01.csv", html=False) == []


def test_the_time_check_wants_the_zone_after_every_clock_time():
    assert [p.found for p in unzoned_times("<td>2 dec 2026 14:03</td>")] == ["14:03"]
    assert [p.found for p in unzoned_times("Om 9:30 uur", html=False)] == ["9:30"]
    for zoned in ("2 dec 2026 14:03 CET", "14:03:10 UTC", "14:03 (CEST, zomertijd)",
                  "<td>2 dec 2026 14:03 <abbr>CET</abbr></td>", "SHA 12:34:56:78",
                  "2 december 2026 14:03 (CET, Nederlandse tijd)"):  # fmt: skip
        assert unzoned_times(zoned) == [], zoned


def test_the_checker_finds_codes_and_wrong_words():
    assert {p.kind for p in problems("<p>Status: package.built</p>", "nl")} == {"code"}
    assert [p.found for p in problems("<td>legal_obligation</td>", "en")] == ["legal_obligation"]
    assert [p.found for p in problems("<td>built</td>", "nl")] == ["built"]
    assert [p.found for p in problems("Uw verzoek is received.", "nl")] == ["received"]
    assert [p.found for p in problems("Your request was verstuurd.", "en")] == ["verstuurd"]
    assert [p.found for p in problems("<dt>Taal</dt><dd>nl</dd>", "nl")] == ["nl"]  # a code
    assert problems("<dt>Taal</dt><dd>Nederlands</dd>", "nl") == []
    clean = (
        "<p>Zie https://example.nl/a.b of mail privacy@mailhuis.example; het bestand "
        "summary.html, <code>data_file.ingested</code>, Sanne de Vries.</p>"
    )
    assert problems(clean, "nl") == []


def _check_pages(client, starts, language, ignore, where, found, names=None, seen=None):
    client.get(f"/lang/{language}")
    pages = 0
    for path, html in _crawl(client, starts):
        shown = None if CONFIGURATION.search(path) else names
        found += [f"{where} {path}: {p}"
                  for p in problems(html, language, ignore=ignore, names=shown)]  # fmt: skip
        found += [f"{where} {path}: {p}" for p in unzoned_times(html)]
        if seen is not None:
            seen[path] = html
        pages += 1
    return pages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_demo_walk_reads_in_words(app, client, login, db_session, demo_world, language):
    ignore = _demo_words(db_session)
    with app.test_request_context():
        request = db_session.scalar(
            select(RightsRequest).where(RightsRequest.requester_email == "p.smit@example.nl")
        )
        status = f"/status/{status_token(request)}"
    forms = [f"/request/form?org=unknown&right={r.value}" for r in RightType]
    forms.append(
        "/request/form?org=c:bakkerij-jansen&" + "&".join(f"right={r.value}" for r in RightType)
    )
    public = ["/", "/request", *forms, status, urlsplit(demo_world or "/").path]
    found: list[str] = []
    counted = _check_pages(client, public, language, ignore, "public", found)
    _officer_works(client, login, db_session, request)
    names = _source_names(db_session)
    # The pages that show found records and a plan: the officer's data page and the
    # controller's request page of the worked erasure request.
    data_page = f"/staff/requests/{request.reference}/data"
    plan_page = f"/controller/requests/{request.reference}"
    read: dict[str, dict[str, str]] = {}
    for email in ("officer@demo.example", "contact@bakkerij-jansen.example", "admin@demo.example"):
        user = db_session.scalar(select(User).where(User.email == email))
        login(user, demo.DEMO_PASSWORD)
        refs = [r.reference for r in db_session.scalars(select(RightsRequest))]
        cases = [f"/staff/requests/{ref}{tail}" for ref in refs for tail in ("", "/packages/")]
        starts = [data_page, plan_page, "/staff/", *cases, "/controller/", "/admin/users/",
                  "/admin/organisations/"]  # fmt: skip
        read[email] = {}
        counted += _check_pages(client, starts, language, ignore, email, found, names,
                                read[email])  # fmt: skip
        if email == "officer@demo.example":
            _check_exports(client, language, ignore, found)
        client.post("/auth/logout", data={"csrf_token": _csrf(client)})
    assert counted > 40  # the walk really went through the product
    _assert_records_and_plan_read(read, data_page, plan_page, language)
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)


def _check_exports(client, language, ignore, found):
    """The staff exports an officer opens in a spreadsheet (the register of requests, the
    incident register) read in words: headers and cells, times with their zone."""
    # The demo has requests in the register; the incident register has its header row.
    for path, least in (
        ("/staff/register-export?format=csv", 2),
        ("/staff/incidents/export.csv", 1),
    ):
        resp = client.get(path)
        assert resp.status_code == 200, path
        rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) >= least, path
        text = "\n".join(" | ".join(row) for row in rows)
        found += [
            f"export {path}: {p}" for p in problems(text, language, html=False, ignore=ignore)
        ]
        found += [f"export {path}: {p}" for p in unzoned_times(text, html=False)]


def _assert_records_and_plan_read(read, data_page, plan_page, language):
    """The crawl read the found records and the plan, as officer and as controller contact,
    in words: the table and column labels are on those pages."""
    words = {"nl": ("Klanten", "E-mailadres", "Factuurnummer"),
             "en": ("Customers", "E-mail address", "Invoice number")}  # fmt: skip
    table, column, kept = words[language]
    officer, contact = read["officer@demo.example"], read["contact@bakkerij-jansen.example"]
    for html in (officer[data_page], contact[plan_page]):
        assert 'id="action-' in html  # a plan is shown
        text = re.sub(r"\s+([:;,])", r"\1", " ".join(visible_text(html).split()))
        assert f"{column}: p.smit@example.nl" in text  # found records
        assert re.search(rf"\b{table}\b", text)  # a record by its table's label
        assert re.search(rf"\b{kept}\b", text)  # a plan's kept column by its label


def _post(client, page_url, url, data=None):
    from tests.helpers import csrf_token

    token = csrf_token(client.get(page_url))
    return client.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=True)


def _officer_works(client, login, db_session, request) -> None:
    """The officer's work on the demo erasure request: search the sources, confirm every
    match, preview an erasure in each source (the data page then shows all of it)."""
    officer = db_session.scalar(select(User).where(User.email == "officer@demo.example"))
    login(officer, demo.DEMO_PASSWORD)
    page = f"/staff/requests/{request.reference}/data"
    _post(client, page, f"{page}/discover")
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ):
        _post(client, page, f"{page}/matches/{match.id}", {"decision": "confirm"})
    for source in db_session.scalars(
        select(DataSource).where(DataSource.kind != SourceKind.MANUAL)
    ):
        _post(client, page, f"{page}/actions", {"kind": "erase", "source": str(source.id)})
    client.post("/auth/logout", data={"csrf_token": _csrf(client)})


def _csrf(client) -> str:
    from tests.helpers import csrf_token

    return csrf_token(client.get("/auth/account"))


def test_the_outbox_mails_read_in_words(app, db_session, demo_world):
    ignore = _demo_words(db_session)
    mails = db_session.scalars(select(OutboxMail)).all()
    assert mails
    with app.test_request_context():
        for mail in mails:
            msg = render(db_session, mail)
            text = f"{msg['Subject']}\n{msg.get_body().get_content()}"
            assert_in_words(text, mail.language, where=f"mail {mail.template}", html=False,
                            ignore=ignore)  # fmt: skip
            assert unzoned_times(text, html=False) == [], mail.template
            assert iso_dates(text, html=False) == [], mail.template
