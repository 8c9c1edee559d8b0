"""Issue 18's done-when in a real browser against ``make run``'s demo: an officer records a
breach in Bakkerij Jansen's mailing file on the register's page and assesses it; confirms the
controller the file points to and sends the notice; Jan Jansen (designated contact) gets the
mail, logs in, reads the notice and acknowledges it inside his organisation's hours; the
officer adds the measures against recurrence and closes the incident; Jan sees them; the
register export lists the incident (docs/incidents.md)."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from rights.deadlines import AMSTERDAM
from rights.models.incident import Incident, IncidentState
from tests.e2e.conftest import DevServer, run_dev_server
from tests.e2e.test_controller_demo import MAILING, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "Mailingbestand naar verkeerde drukkerij"
DESCRIPTION = "Het adresbestand van de mailing is naar een verkeerde drukkerij gestuurd."
RECURRENCE = "Bestanden gaan alleen nog via het beveiligde portaal, met vier-ogen-controle."


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A server of its own (the walk enrols the officer and the contact), writing its mail
    to the development mail folder."""
    with run_dev_server(tmp_path_factory.mktemp("breach-demo")) as server:
        yield server


def _mail_link(instance: Path, reference: str, path: str, timeout: float = 120) -> str:
    """The first ``path`` link in a mail about ``reference`` the worker wrote."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted((instance / "mail").glob("*.eml")):
            msg = message_from_bytes(file.read_bytes(), policy=policy.default)
            body = msg.get_body().get_content()
            if reference in str(msg["Subject"]) + body and path in body:
                match = re.search(rf"http://\S+{path}\S+", body)
                assert match
                return match.group(0)
        time.sleep(0.5)
    raise AssertionError(f"no mail with {path} for {reference}")


def _db(server: DevServer) -> Session:
    return Session(create_engine(f"sqlite:///{server.instance / 'portal.db'}"))


def _local(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def _record_and_assess(page, url: str) -> tuple[int, str]:
    now = datetime.now(UTC)
    page.goto(f"{url}/staff/incidents/new")
    page.get_by_label("Short title").fill(TITLE)
    page.get_by_label("Discovered at").fill(_local(now - timedelta(hours=1)))
    page.get_by_label("Aware it is a breach at").fill(_local(now - timedelta(minutes=30)))
    page.get_by_label("What happened").fill(DESCRIPTION)
    page.get_by_label("Categories of personal data").fill("namen\nadressen\ne-mailadressen")
    page.get_by_label("Categories of people concerned").fill("klanten")
    page.get_by_label("Approximate number of people concerned").fill("3")
    page.get_by_label("Approximate number of records concerned").fill("3")
    page.locator("#data_file_ids .choice", has_text=MAILING).first.locator("input").check()
    page.get_by_label("Likely consequences").fill("Ongevraagde post.")
    page.get_by_role("button", name="Record the incident").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(TITLE)
    reference = heading.inner_text().split(":", 1)[0].strip()
    assert reference.startswith("INC-"), reference
    incident_id = int(page.url.rstrip("/").rsplit("/", 1)[1].split("?")[0].split("#")[0])
    page.get_by_label("Yes, a breach").check()
    page.get_by_label("A risk to the people concerned").check()
    page.get_by_label("Reasons for this risk assessment").fill("Namen en adressen bij derden.")
    page.get_by_role("button", name="Save the assessment").click()
    return incident_id, reference


def test_the_controller_is_told_reads_acknowledges_and_sees_the_measures(demo_server, browser):
    url = demo_server.url
    officer = _log_in(browser, url, "officer@demo.example")
    incident_id, reference = _record_and_assess(officer, url)

    controllers = officer.locator("#controllers")
    expect(controllers.get_by_label("Bakkerij Jansen", exact=False)).to_be_checked()
    expect(controllers.get_by_label("Sportclub Zuid", exact=False)).not_to_be_checked()
    officer.get_by_role("button", name="Confirm the list").click()
    officer.get_by_role("button", name="Send the notice").click()
    expect(officer.locator(".flashes")).to_contain_text("The notice was sent.")
    officer.get_by_role("button", name="Send again to Bakkerij Jansen").click()
    expect(officer.locator(".error-summary")).to_contain_text("Tick the box to confirm")
    controllers.get_by_label("Send the notice to Bakkerij Jansen again", exact=False).check()
    officer.get_by_role("button", name="Send again to Bakkerij Jansen").click()
    expect(officer.locator(".flashes")).to_contain_text(
        "the notice was sent again to Bakkerij Jansen, to contact@bakkerij-jansen.example."
    )
    expect(officer.locator("#history")).to_contain_text("Notice sent again to the controller")

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

    officer.goto(f"{url}/staff/incidents/{incident_id}")
    officer.get_by_label("Measures against recurrence").fill(RECURRENCE)
    officer.get_by_role("button", name="Save the measures").click()
    officer.get_by_role("button", name="Close the incident").click()
    with _db(demo_server) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.state is IncidentState.CLOSED

    contact.reload()
    expect(main).to_contain_text(RECURRENCE)
    contact.screenshot(path=str(demo_server.instance / "breach-notice.png"), full_page=True)
    officer.reload()
    expect(officer.locator("#controllers")).to_contain_text("Jan Jansen")  # who acknowledged
    officer.screenshot(path=str(demo_server.instance / "breach-officer.png"), full_page=True)

    _read_at_320(
        officer, url, {f"/staff/incidents/{incident_id}": True, "/staff/incidents/": False}
    )
    _read_at_320(
        contact,
        url,
        {f"/controller/incidents/{incident_id}": False, "/controller/incidents/": True},
    )

    export = officer.request.get(f"{url}/staff/incidents/export.csv")
    assert export.ok
    rows = list(csv.reader(io.StringIO(export.text().lstrip("\ufeff")), delimiter=";"))
    assert any(reference in row and TITLE in row for row in rows[1:]), rows


TOLD = {"nl": ("Ingelicht", "Aan u gemeld"), "en": ("Told", "Told to you")}


def _read_at_320(page, url: str, paths: dict[str, bool]) -> None:  # type: ignore[no-untyped-def]
    """Each page at phone width in both languages: nothing wider than 320 px, and the
    stacked cells of the tables still say which column they are (data-label; ``True``:
    the page has the column of when the controller was told)."""
    page.set_viewport_size({"width": 320, "height": 720})
    for language in ("nl", "en"):
        page.goto(f"{url}/lang/{language}")
        for path, told in paths.items():
            page.goto(url + path)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 320, f"{path} ({language}) is {width} px wide at 320 px"
            labels = page.evaluate(
                "[...document.querySelectorAll('main td[data-label]')]"
                ".map(td => getComputedStyle(td, '::before').content)"
            )
            assert all(label.endswith(': "') for label in labels), (path, labels)
            if told:
                assert any(t in label for label in labels for t in TOLD[language]), labels
