"""Issue 18 'done when', controller side, in a real browser against ``make run``'s demo: a
breach in Bakkerij Jansen's mailing file; the officer confirms the controller the file
points to and sends the notice; Jan Jansen (designated contact) gets the mail, logs in,
reads the notice and acknowledges it inside his organisation's hours; the officer adds the
measures against recurrence and closes the incident; Jan sees them (docs/incidents.md).

Recording the incident and closing it are the register's steps (its pages are another
branch's work): until they are merged this walk drives those two steps through the domain
on the demo's database, and the register export is not walked yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from rights.audit import SYSTEM
from rights.incidents.lifecycle import move
from rights.models.incident import Incident, IncidentState, Risk
from rights.models.source import DataFileUpload, DataSource
from tests.e2e import test_controller_demo as walk
from tests.e2e.conftest import DevServer
from tests.e2e.test_controller_demo import MAILING, _log_in, _mail_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]
demo_server = walk.demo_server  # a server of its own, started as the controller walk does

DESCRIPTION = "Het adresbestand van de mailing is naar een verkeerde drukkerij gestuurd."
RECURRENCE = "Bestanden gaan alleen nog via het beveiligde portaal, met vier-ogen-controle."


def _db(server: DevServer) -> Session:
    return Session(create_engine(f"sqlite:///{server.instance / 'portal.db'}"))


def _record_breach(server: DevServer) -> tuple[int, str]:
    """The register's step: a breach in the demo mailing file, discovered an hour ago."""
    now = datetime.now(UTC)
    with _db(server) as session:
        upload = session.scalars(
            select(DataFileUpload).join(DataSource).where(DataSource.name == MAILING)
        ).first()
        assert upload is not None
        incident = Incident(
            reference="INC-2026-0001", title="Mailingbestand naar verkeerde drukkerij",
            discovered_at=now - timedelta(hours=1), aware_at=now - timedelta(minutes=30),
            description=DESCRIPTION, data_categories=["namen", "adressen", "e-mailadressen"],
            subject_categories=["klanten"], approx_subjects=3, approx_records=3,
            consequences="Ongevraagde post.", measures_taken="De drukkerij wiste het bestand.",
            data_file_ids=[upload.id], created_at=now,
        )  # fmt: skip
        session.add(incident)
        session.flush()
        incident.risk, incident.is_breach = Risk.RISK, True
        move(session, incident, IncidentState.ASSESSED, actor=SYSTEM, now=now)
        session.commit()
        return incident.id, incident.reference


def _close(server: DevServer, incident_id: int) -> None:
    """The register's step: the measures against recurrence, then closed."""
    with _db(server) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        incident.measures_recurrence = RECURRENCE
        move(session, incident, IncidentState.CLOSED, actor=SYSTEM, now=datetime.now(UTC))
        session.commit()


def test_the_controller_is_told_reads_acknowledges_and_sees_the_measures(demo_server, browser):
    url = demo_server.url
    incident_id, reference = _record_breach(demo_server)

    officer = _log_in(browser, url, "officer@demo.example")
    officer.goto(f"{url}/staff/incidents/{incident_id}/notice")
    expect(officer.get_by_label("Bakkerij Jansen", exact=False)).to_be_checked()
    expect(officer.get_by_label("Sportclub Zuid", exact=False)).not_to_be_checked()
    officer.get_by_role("button", name="Confirm the list").click()
    officer.get_by_role("button", name="Send the notice").click()
    expect(officer.locator(".flashes")).to_contain_text("The notice was sent.")

    link = _mail_link(demo_server.instance, reference, "/controller/incidents/")
    assert link.endswith(f"/controller/incidents/{incident_id}")
    contact = _log_in(browser, url, "contact@bakkerij-jansen.example")
    contact.goto(link)
    main = contact.locator("main")
    expect(main).to_contain_text(DESCRIPTION)
    expect(main).to_contain_text("namen, adressen, e-mailadressen")
    contact.get_by_role("button", name="Acknowledge").click()
    expect(contact.locator(".flashes")).to_contain_text("You confirmed that you received")

    with _db(demo_server) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.state is IncidentState.NOTIFIED
        (row,) = incident.controllers
        assert row.acknowledged_at is not None and row.acknowledged_at <= row.notice_due
        assert row.notified_at is not None and row.notified_at <= row.notice_due

    _close(demo_server, incident_id)
    contact.reload()
    expect(main).to_contain_text(RECURRENCE)
    contact.screenshot(path=str(demo_server.instance / "breach-notice.png"), full_page=True)
    officer.reload()
    expect(officer.locator("#controllers")).to_contain_text("Jan Jansen")  # who acknowledged
    officer.screenshot(path=str(demo_server.instance / "breach-officer.png"), full_page=True)
