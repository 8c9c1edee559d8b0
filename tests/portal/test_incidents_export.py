"""The register export read back with openpyxl and csv, the dashboard's incident figures
and the running clocks on the queue page (docs/incidents.md, "The register export")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rights import audit
from rights.audit import SYSTEM
from rights.incidents import register
from rights.incidents.clocks import add_controller
from rights.incidents.register import Facts, Measures
from rights.models.audit import AuditEvent
from rights.models.incident import Risk
from rights.models.org import Role

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
SUBJECT = "Kees Visser"  # stays out: not written as a fact


@pytest.fixture
def world(app, db_session, make_org, make_user, login):
    app.config["CLOCK"] = lambda: NOW
    login(make_user(Role.OFFICER))
    org = make_org(name="MediaCenter", breach_notice_hours=18)
    breach = register.record(
        db_session,
        Facts(
            title='=HYPERLINK("http://x") mailing to wrong list',
            discovered_at=NOW - timedelta(hours=20),
            data_categories=("name", "e-mail address"),
            approx_subjects=1200,
        ),
        actor=SYSTEM,
        now=NOW - timedelta(hours=19),
    )
    register.assess(
        db_session,
        breach,
        is_breach=True,
        risk=Risk.HIGH,
        risk_reasons="Addresses",
        actor=SYSTEM,
        now=NOW - timedelta(hours=19),
    )
    row = add_controller(db_session, breach, org, actor=SYSTEM, now=NOW - timedelta(hours=19))
    row.notified_at = NOW - timedelta(hours=4)  # 16 hours after discovery: in time
    row.acknowledged_at = NOW - timedelta(hours=3)
    register.set_measures(
        db_session, breach, Measures(recurrence="Four eyes"), actor=SYSTEM, now=NOW
    )
    register.close(db_session, breach, actor=SYSTEM, now=NOW)
    running = register.record(
        db_session,
        Facts(title="Laptop stolen", discovered_at=NOW - timedelta(hours=20)),
        actor=SYSTEM,
        now=NOW,
    )
    add_controller(db_session, running, make_org(name="Mail Succes"), actor=SYSTEM, now=NOW)
    db_session.commit()
    return breach, running


def test_xlsx_export_reads_back(client, world, db_session):
    breach, running = world
    resp = client.get("/staff/incidents/export.xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows[0]
    assert header[:4] == ["Kenmerk", "Titel", "Status", "Ontdekt (Amsterdamse tijd)"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Kenmerk"] == breach.reference
    assert first["Titel"].startswith("'=HYPERLINK")  # escaped, never a formula
    assert first["Status"] == "Gesloten"
    assert first["Ontdekt (Amsterdamse tijd)"] == "4 mrt 2026 15:00 CET (wintertijd)"
    assert first["Categorieën persoonsgegevens"] == "name; e-mail address"
    assert first["Geschat aantal betrokkenen"] == 1200
    assert first["Risico"] == "Een hoog risico voor de betrokkenen"
    assert first["Maatregelen tegen herhaling"] == "Four eyes"
    controllers = first["Verwerkingsverantwoordelijken: melding uiterlijk, geïnformeerd, bevestigd"]
    assert controllers == (
        "MediaCenter: uiterlijk 5 mrt 2026 09:00 CET (wintertijd), geïnformeerd "
        "5 mrt 2026 07:00 CET (wintertijd), bevestigd 5 mrt 2026 08:00 CET (wintertijd)"
    )
    second = dict(zip(header, rows[2], strict=True))
    assert second["Kenmerk"] == running.reference and second["Inbreuk"] is None
    assert SUBJECT not in str(rows)
    audit.write_pending(db_session)
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "incident.register_exported")
    )
    assert event.data == {"format": "xlsx", "rows": 2}


def test_csv_export_reads_back_in_english(client, world):
    client.get("/lang/en")
    resp = client.get("/staff/incidents/export.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Reference", "Title", "State"]
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][2] == "Closed" and rows[2][2] == "Reported, not yet assessed"
    assert len(rows) == 3
    assert client.get("/staff/incidents/export.pdf").status_code == 404


def test_dashboard_and_queue_show_the_incidents(client, world):
    breach, running = world
    page = client.get("/staff/dashboard").get_data(as_text=True)
    figures = page[page.index('id="incident-totals"') :][:800]
    assert "<dt>Open incidenten</dt><dd>1</dd>" in figures
    # Mail Succes's clock (24 hours) has 4 hours left: within the 6-hour window.
    assert "<dt>Termijnen die bijna aflopen</dt><dd>1</dd>" in figures
    assert "<dt>Inbreuken ontdekt in deze periode</dt><dd>1</dd>" in figures
    assert "<dt>Op tijd gemeld</dt><dd>1 / 1</dd>" in figures
    queue = client.get("/staff/").get_data(as_text=True)
    area = queue[queue.index('id="incident-clocks"') :][:1500]
    assert running.reference in area and "Mail Succes" in area
    assert "4 uur resterend" in area
    assert breach.reference not in area
