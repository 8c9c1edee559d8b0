"""The issue's "done when": in the demo the officer finds the subject of a demo request in the
CRM database and the mailing file, previews an erasure, a second officer executes it, and the
page for the answer letter lists what was erased and what was kept."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from operations.demo import DEMO_PASSWORD
from rights.audit import Actor
from rights.controllers.approvals import decide_action
from rights.models.controller import DecisionKind
from rights.models.org import User
from rights.models.request import RightsRequest
from rights.models.source import DataSource, MatchStatus, SourceAction, SubjectMatch
from tests.helpers import csrf_token


def _post(client, page_url, url, data=None):
    page = client.get(page_url)
    return client.post(
        url, data={**(data or {}), "csrf_token": csrf_token(page)}, follow_redirects=True
    )


def test_demo_erasure_with_retention_hold(app, client, login, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0  # idempotent
    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.requester_email == "p.smit@example.nl")
    )
    officer, officer2 = (
        db_session.scalar(select(User).where(User.email == e))
        for e in ("officer@demo.example", "officer2@demo.example")
    )
    page_url = f"/staff/requests/{request.reference}/data"
    login(officer, DEMO_PASSWORD)
    _post(client, page_url, f"{page_url}/discover")
    matches = db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ).all()
    assert sorted(m.source.slug for m in matches) == [
        "crm-bakkerij-jansen",
        "mailing-bakkerij-jansen",
    ]
    for match in matches:
        _post(client, page_url, f"{page_url}/matches/{match.id}", {"decision": "confirm"})
    for match in matches:
        db_session.refresh(match)
    assert {m.status for m in matches} == {MatchStatus.CONFIRMED}
    ids = {s.slug: s.id for s in db_session.scalars(select(DataSource))}
    _post(
        client,
        page_url,
        f"{page_url}/actions",
        {"kind": "erase", "source": str(ids["crm-bakkerij-jansen"])},
    )
    _post(
        client,
        page_url,
        f"{page_url}/actions",
        {"kind": "erase", "source": str(ids["mailing-bakkerij-jansen"])},
    )
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/staff/"))})
    # The demo controller's designated contact approves both erasures (docs/controllers.md).
    contact = db_session.scalar(select(User).where(User.email == "contact@bakkerij-jansen.example"))
    for action in db_session.scalars(
        select(SourceAction).where(SourceAction.request_id == request.id)
    ):
        decide_action(db_session, action, DecisionKind.APPROVE, actor=Actor.user(contact.id),
                      now=datetime.now(UTC))  # fmt: skip
    db_session.commit()

    login(officer2, DEMO_PASSWORD)
    page = client.get(page_url).get_data(as_text=True)
    for action_id in sorted(set(re.findall(r"/actions/(\d+)/execute", page))):
        _post(client, page_url, f"{page_url}/actions/{action_id}/execute")
    html = client.get(page_url).get_data(as_text=True)
    assert "Art. 17 lid 3 sub b AVG: fiscale bewaarplicht (art. 52 AWR)" in html  # its words
    # The kept columns and their table by their labels, never as raw names (issue 14).
    assert "Facturen (1 record) · Factuurnummer, Bedrag (euro), Factuurdatum" in html
    assert "<code>invoice_no</code>" not in html
    assert "35 dagen" in html

    # The answer letter lists what was erased and what was kept, and why (docs/legal.md).
    case = client.get(f"/staff/requests/{request.reference}")
    version = re.search(r'name="version" value="(\d+)"', case.get_data(as_text=True)).group(1)
    resp = client.post(
        f"/staff/requests/{request.reference}/answer",
        data={
            "csrf_token": csrf_token(case),
            "version": version,
            "outcome": "partially_fulfilled",
            "grounds": "art_17_3_b",
            "reasons": "Facturen bewaren wij 7 jaar.",
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    letter = client.get(f"/staff/requests/{request.reference}/letter").get_data(as_text=True)
    assert "Wat wij hebben gewist:" in letter
    assert "Wat wij hebben bewaard, en waarom:" in letter
    # By the definition's labels, never the column names (docs/package.md, "Labels").
    assert "Facturen, 1 record. Wij bewaren: Factuurnummer, Bedrag (euro), Factuurdatum." in letter
    assert "Klanten, 1 record geanonimiseerd; Bestellingen, 2 records gewist." in letter
    assert "invoice_no" not in letter
    assert "fiscale bewaarplicht" in letter and "35 dagen" in letter

    crm = Path(app.instance_path) / "demo-crm.sqlite"
    with sqlite3.connect(crm) as conn:
        assert conn.execute("SELECT name, email FROM customer WHERE id = 1").fetchone() == (
            None,
            None,
        )
        assert conn.execute("SELECT count(*) FROM orders WHERE customer_id = 1").fetchone() == (0,)
        assert conn.execute(
            "SELECT invoice_no, amount, billing_name FROM invoice WHERE id = 20"
        ).fetchone() == ("F2025-0101", 27.75, "")


def test_access_package_carries_the_confirmed_source_data(app, client, login, db_session):
    """The package the officer builds holds the rows found in the CRM and the mailing file,
    each with that source's Art. 15(1) information, next to the request record."""
    from operations.packages import collect_export_package
    from tests.helpers import ops_context

    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.requester_email == "p.smit@example.nl")
    )
    officer = db_session.scalar(select(User).where(User.email == "officer@demo.example"))
    page_url = f"/staff/requests/{request.reference}/data"
    login(officer, DEMO_PASSWORD)
    _post(client, page_url, f"{page_url}/discover")
    matches = db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ).all()
    for match in matches:
        _post(client, page_url, f"{page_url}/matches/{match.id}", {"decision": "confirm"})
    with app.app_context():
        package = collect_export_package(ops_context(app, db_session), request)
    assert len(package.sources) == 3
    values = {
        str(value)
        for section in package.sources[1:]
        for category in section.categories
        for record in category.records()
        for value in record.values()
    }
    assert "p.smit@example.nl" in values
    assert all(section.info.purposes for section in package.sources)
