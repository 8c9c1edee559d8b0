"""Dashboard figures against a hand-built data set; the register export read back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from rights import answers, lifecycle
from rights import requests as ops
from rights.audit import SYSTEM
from rights.dashboard import figures
from rights.models.org import OrganisationKind
from rights.models.request import Channel, Outcome, RequestState
from rights.righttypes import ErasureDetails, ObjectionDetails

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
START, END = date(2026, 3, 2), date(2026, 3, 22)


def t(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def world(make_request, make_org, db_session):
    a = make_org(OrganisationKind.OPERATOR, name="Alfa")  # not about controllers
    b = make_org(
        OrganisationKind.OPERATOR, name='=HYPERLINK("http://x")'
    )  # a hostile name must not become a formula
    mk = lambda when, org, details=None: make_request(  # noqa: E731
        details, received_at=when, channel=Channel.EMAIL, organisation_id=org.id
    )
    r0 = mk(t(3, 1), a)  # Sunday 1 March: before the period
    r1 = mk(t(3, 2), a)
    r2 = mk(t(3, 3), a, ErasureDetails())
    r3 = mk(t(3, 9), b)
    r4 = mk(t(3, 10), b)
    r5 = mk(t(3, 16), b, ObjectionDetails())
    r6 = mk(t(3, 23), a)  # after the period
    lifecycle.transition(
        db_session, r1, RequestState.ANSWERED, actor=SYSTEM, now=t(3, 12), outcome=Outcome.FULFILLED
    )
    ops.extend(db_session, r2, "complexity", "Veel systemen", actor=SYSTEM, now=t(3, 10))
    lifecycle.transition(
        db_session, r2, RequestState.ANSWERED, actor=SYSTEM, now=t(5, 1), outcome=Outcome.FULFILLED
    )
    letter = answers.prepare_answer(
        db_session,
        r3,
        Outcome.PARTIALLY_FULFILLED,
        ["art_15_4"],
        "Gegevens van anderen",
        "Brief",
        actor=SYSTEM,
        now=t(4, 20),
    )
    answers.send_answer(db_session, r3, letter, actor=SYSTEM, now=t(4, 20))  # late: due 9 April
    lifecycle.transition(db_session, r5, RequestState.WITHDRAWN, actor=SYSTEM, now=t(3, 17))
    db_session.commit()
    return locals()


def test_dashboard_figures_match_the_hand_built_data_set(world, db_session):
    f = figures(db_session, now=NOW, start=START, end=END)
    assert f.total.received == 5  # r1..r5
    assert (f.total.decided, f.total.on_time) == (4, 2)  # r4 open past due counts late
    assert f.total.on_time_rate == 0.5
    assert f.total.median_days == 42  # days 10, 59, 42
    assert f.total.extension_share == 0.2
    assert f.per_week == [(date(2026, 3, 2), 2), (date(2026, 3, 9), 2), (date(2026, 3, 16), 1)]
    access = f.by_right["access"]
    assert (access.received, access.decided, access.on_time, access.median_days) == (3, 3, 1, 26)
    assert (f.by_right["erasure"].extended, f.by_right["erasure"].median_days) == (1, 59)
    assert f.by_right["objection"].decided == 0 and f.by_right["objection"].on_time_rate is None
    alfa = f.by_organisation["Alfa"]
    assert (alfa.received, alfa.on_time, alfa.median_days) == (2, 2, 34.5)
    assert f.open_by_state[RequestState.OPEN] >= 3  # r0, r4, r6


def test_dashboard_page_shows_the_figures_as_charts_and_tables(client, officer, world):
    html = client.get("/staff/dashboard?start=2026-03-02&end=2026-03-22").get_data(as_text=True)
    assert html.count("<svg") == 4 and '<title id="c-weeks-t">' in html
    assert "50%" in html and "(2 / 4)" in html and "(1 / 5)" in html
    assert "=HYPERLINK(&#34;http://x&#34;)" in html or "=HYPERLINK(&quot;http://x&quot;)" in html
    bad = client.get("/staff/dashboard?start=2026-13-01")
    assert bad.status_code == 422


def _xlsx(client, language="nl"):
    client.get(f"/lang/{language}")
    resp = client.get("/staff/register-export?start=2026-03-02&end=2026-03-22&format=xlsx")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.data))["Register"]
    return sheet, list(sheet.iter_rows(values_only=True))


def test_register_export_xlsx_read_back_in_words(client, officer, world):
    """An officer hands the register to the AP: it reads in words, times on the Dutch clock
    with the zone named (10:00 UTC is 11:00 CET in March, 12:00 CEST in April)."""
    sheet, rows = _xlsx(client)
    header, body = rows[0], rows[1:]
    assert header[:7] == (
        "Kenmerk",
        "Gekoppelde verzoeken (groep)",
        "Recht",
        "Organisatie",
        "Kanaal",
        "Ontvangen op",
        "Ontvangstdatum (de termijn telt vanaf die dag)",
    )
    got = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    w = world
    assert set(got) == {w[k].reference for k in ("r1", "r2", "r3", "r4", "r5")}
    r3 = got[w["r3"].reference]
    assert (r3["Uitkomst"], r3["Op tijd"], r3["Beantwoord op"]) == (
        "Gedeeltelijk ingewilligd",
        "nee",
        "20 apr 2026 12:00 CEST",
    )
    assert r3["Juridische gronden"].startswith("Art. 15 lid 4 AVG: een kopie zou")
    assert "art_15_4" not in r3["Juridische gronden"]
    assert r3["Termijn tot"].date() == date(2026, 4, 9)
    r2 = got[w["r2"].reference]
    assert (r2["Verlengd"], r2["Grond voor de verlenging"], r2["Op tijd"]) == (
        "ja",
        "Het verzoek is complex",
        "ja",
    )
    assert (r2["Recht"], got[w["r5"].reference]["Status"]) == ("Verwijdering", "Ingetrokken")
    assert got[w["r1"].reference]["Ontvangen op"] == "2 mrt 2026 11:00 CET"
    assert got[w["r1"].reference]["Kanaal"] == "E-mail"
    # No personal data, no formula cells, and no code a reader would have to decode.
    flat = " ".join(str(v) for r in rows for v in r)
    assert "Eva" not in flat and "@" not in flat
    assert not {"partially_fulfilled", "withdrawn", "complexity", "email", "UTC"} & set(
        flat.replace(";", " ").split()
    )
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert got[w["r3"].reference]["Organisatie"].startswith("'=")


def test_register_export_in_english(client, officer, world):
    _sheet, rows = _xlsx(client, "en")
    got = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    r3 = got[world["r3"].reference]
    assert (r3["Right"], r3["Outcome"], r3["On time"], r3["Answered at"]) == (
        "Access",
        "Partially fulfilled",
        "no",
        "20 Apr 2026 12:00 CEST",
    )
    assert got[world["r1"].reference]["Received at"] == "2 Mar 2026 11:00 CET"


def test_register_export_csv_read_back(client, officer, world):
    resp = client.get("/staff/register-export?start=2026-03-02&end=2026-03-22&format=csv")
    text = resp.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 5
    by = {r["Kenmerk"]: r for r in rows}
    r1 = by[world["r1"].reference]
    assert (r1["Op tijd"], r1["Ontvangen op"], r1["Termijn tot"]) == (
        "ja",
        "2 mrt 2026 11:00 CET",
        "2026-04-02",
    )
    assert by[world["r3"].reference]["Organisatie"].startswith("'=")
    assert client.get("/staff/register-export?format=pdf").status_code == 422
