"""The officer's side of the notice (docs/incidents.md, "Notice to controllers", "When we
are the controller"): the proposal from the files involved, confirming it, the notice mail
without details, follow-ups and answers; the AP draft downloads and the Art. 34 letters."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.mail import render
from rights.models.incident import IncidentState, IncidentUpdate, UpdateKind
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role
from tests.glossary import assert_in_words, unzoned_times
from tests.helpers import csrf_token
from tests.rights.incidents.factory import file_source, make_incident


@pytest.fixture
def world(app, db_session, make_org, make_user, now):
    app.config["CLOCK"] = lambda: now
    make_org(OrganisationKind.OPERATOR, name="Mail Succes", contact_email="dpo@ms.example")
    a = make_org(name="Bakkerij Alfa", breach_notice_hours=18)
    b = make_org(name="Sportclub Beta")
    contact = make_user(Role.CONTROLLER, organisation=a, name="Anna", email="anna@alfa.example")
    contact.designated = True
    b_contact = make_user(Role.CONTROLLER, organisation=b, name="Bea", email="bea@beta.example")
    b_contact.designated = True
    officer = make_user(Role.OFFICER, name="Olga Officer")
    upload = file_source(db_session, a, now)
    file_source(db_session, b, now)
    incident = make_incident(db_session, now, data_file_ids=[upload.id])
    db_session.commit()
    return {"a": a, "b": b, "officer": officer, "incident": incident, "contact": contact}


def _page(client, incident):
    return client.get(f"/staff/incidents/{incident.id}")


def test_confirm_send_follow_up_and_answer(client, login, world, db_session, app):
    incident, a = world["incident"], world["a"]
    login(world["officer"])
    page = _page(client, incident)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bakkerij Alfa" in html and "Sportclub Beta" in html
    token = csrf_token(page)
    base = f"/staff/incidents/{incident.id}"
    resp = client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": [a.id]})
    assert resp.status_code == 303
    resp = client.post(f"{base}/send-notice", data={"csrf_token": token})
    assert resp.status_code == 303
    db_session.expire_all()
    assert incident.state is IncidentState.NOTIFIED
    (mail,) = db_session.scalars(select(OutboxMail)).all()
    assert mail.to_addr == "anna@alfa.example"
    with app.app_context():
        msg = render(db_session, mail)
    body = msg.get_content()
    assert incident.reference in body and f"/controller/incidents/{incident.id}" in body
    for detail in (incident.description, incident.consequences, "names", "1200", incident.title):
        assert detail not in body and detail not in msg["Subject"], detail
    html = _page(client, incident).get_data(as_text=True)
    assert "Bakkerij Alfa" in html
    client.post(f"{base}/follow-ups", data={"csrf_token": token, "body": "Printer bevestigde."})
    db_session.add(
        IncidentUpdate(
            incident_id=incident.id,
            organisation_id=a.id,
            kind=UpdateKind.QUESTION,
            body="Welke kolommen?",
            created_at=incident.created_at,
        )
    )
    db_session.commit()
    html = _page(client, incident).get_data(as_text=True)
    assert "Printer bevestigde." in html and "Welke kolommen?" in html
    client.post(
        f"{base}/answers", data={"csrf_token": token, "organisation": a.id, "body": "Naam."}
    )
    kinds = [u.kind for u in db_session.scalars(select(IncidentUpdate).order_by(IncidentUpdate.id))]
    assert kinds == [UpdateKind.FOLLOW_UP, UpdateKind.QUESTION, UpdateKind.ANSWER]
    mails = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [m.template for m in mails] == [
        "incident_notice",
        "incident_follow_up",
        "incident_answer",
    ]
    with app.app_context():
        follow, answer = (render(db_session, m).get_content() for m in mails[1:])
    assert "Printer bevestigde." not in follow and "Naam." not in answer
    assert f"/controller/incidents/{incident.id}" in follow and incident.reference in answer


def _problem(resp):
    """The refusal's words in the page's error summary."""
    html = resp.get_data(as_text=True)
    assert 'class="error-summary"' in html, html[:2000]
    return html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]


def test_refusals_are_the_page_again_with_the_reason_and_a_4xx(client, login, world, db_session):
    incident, a = world["incident"], world["a"]
    login(world["officer"])
    token = csrf_token(_page(client, incident))
    base = f"/staff/incidents/{incident.id}"
    resp = client.post(f"{base}/send-notice", data={"csrf_token": token})
    assert resp.status_code == 422
    assert "Bevestig eerst de betrokken verwerkingsverantwoordelijken." in _problem(resp)
    assert 'href="#controllers"' in _problem(resp) and incident.reference in resp.get_data(
        as_text=True
    )
    bad = client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": ["x"]})
    assert bad.status_code == 422 and _problem(bad).strip()
    assert not incident.controllers
    client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": [a.id]})
    client.post(f"{base}/send-notice", data={"csrf_token": token})
    again = client.post(f"{base}/send-notice", data={"csrf_token": token})
    assert again.status_code == 422
    assert "Alle bevestigde verwerkingsverantwoordelijken zijn al ingelicht." in _problem(again)
    empty = client.post(f"{base}/follow-ups", data={"csrf_token": token, "body": "   "})
    assert empty.status_code == 422 and "Schrijf het bericht." in _problem(empty)
    assert [m.template for m in db_session.scalars(select(OutboxMail))] == ["incident_notice"]
    assert db_session.scalars(select(IncidentUpdate)).all() == []
    assert (
        client.post("/staff/incidents/999999/send-notice", data={"csrf_token": token}).status_code
        == 404
    )


def test_a_refused_own_data_step_points_at_its_section(client, login, world, db_session):
    incident = world["incident"]
    incident.own_data = True
    db_session.commit()
    login(world["officer"])
    client.get("/lang/en")
    token = csrf_token(_page(client, incident))
    base = f"/staff/incidents/{incident.id}"
    resp = client.post(
        f"{base}/subjects-letters",
        data={"csrf_token": token, "language": "nl", "addresses": "piet@example.nl"},
    )
    assert resp.status_code == 409  # a step the state does not allow yet
    assert 'href="#own-data"' in _problem(resp)
    assert "Decide first that the people concerned are told." in _problem(resp)
    assert db_session.scalars(select(OutboxMail)).all() == []


def test_the_old_notice_page_leads_to_the_incident_pages_section(client, login, world):
    incident = world["incident"]
    login(world["officer"])
    old = client.get(f"/staff/incidents/{incident.id}/notice")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(f"/staff/incidents/{incident.id}#controllers")
    assert client.get("/staff/incidents/999999/notice").status_code == 404


def test_own_data_draft_decision_and_letters(client, login, world, db_session):
    incident = world["incident"]
    incident.own_data = True
    db_session.commit()
    login(world["officer"])
    page = _page(client, incident)
    token = csrf_token(page)
    base = f"/staff/incidents/{incident.id}"
    draft = client.get(f"{base}/ap-draft.json")
    assert draft.status_code == 200
    assert json.loads(draft.data)["controller"]["contact"]["email"] == "dpo@ms.example"
    pdf = client.get(f"{base}/ap-draft.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.post(f"{base}/cross-border", data={"csrf_token": token, "cross_border": "no"})
    assert json.loads(client.get(f"{base}/ap-draft.json").data)["cross_border"] is False
    client.post(f"{base}/subjects-decision", data={"csrf_token": token, "decision": "notify"})
    listed = b"E-mailadres\npiet@example.nl\nmarie@example.nl\n"
    resp = client.post(
        f"{base}/subjects-letters",
        data={"csrf_token": token, "language": "en", "file": (io.BytesIO(listed), "list.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    db_session.expire_all()
    assert incident.subjects_notified_at is not None  # the AP step: tests/portal/test_incidents.py
    mails = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(m.to_addr, m.language) for m in mails] == [
        ("piet@example.nl", "en"),
        ("marie@example.nl", "en"),
    ]


def test_the_officer_sends_the_notice_again_to_one_controller(
    client, login, world, db_session, app, now
):
    """A controller's contact says the notice never arrived: the officer sends it again
    from the incident page, after ticking the box, and the page says when and to whom."""
    incident, a, b = world["incident"], world["a"], world["b"]
    login(world["officer"])
    base = f"/staff/incidents/{incident.id}"
    token = csrf_token(_page(client, incident))
    client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": [a.id, b.id]})
    nothing = client.post(
        f"{base}/resend-notice", data={"csrf_token": token, "organisation": a.id, "confirm": "yes"}
    )
    assert nothing.status_code == 409
    assert "niets om opnieuw te versturen" in _problem(nothing)
    client.post(f"{base}/send-notice", data={"csrf_token": token})
    html = _page(client, incident).get_data(as_text=True)
    assert html.count(f'action="{base}/resend-notice"') == 2
    assert "Opnieuw versturen naar Bakkerij Alfa" in html
    assert f'action="{base}/send-notice"' not in html  # every controller was told
    assert "Versturen aan" in html and "Tot en met" not in html  # the follow-up's recipient
    unticked = client.post(
        f"{base}/resend-notice", data={"csrf_token": token, "organisation": a.id}
    )
    assert unticked.status_code == 422 and "Vink het vakje aan" in _problem(unticked)
    assert len(db_session.scalars(select(OutboxMail)).all()) == 2
    later = now + timedelta(minutes=5)
    app.config["CLOCK"] = lambda: later
    sent = client.post(
        f"{base}/resend-notice",
        data={"csrf_token": token, "organisation": a.id, "confirm": "yes"},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    html = sent.get_data(as_text=True)
    when = "opnieuw verstuurd aan Bakkerij Alfa, aan anna@alfa.example"
    assert when in html and " CET" in html.split(when)[0].rsplit("<p", 1)[1]
    history = html.split('id="history"', 1)[1]
    assert "Melding opnieuw verstuurd aan de verwerkingsverantwoordelijke" in history
    assert "Bakkerij Alfa, aan Anna" in history
    mails = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(m.to_addr, m.template) for m in mails[2:]] == [
        ("anna@alfa.example", "incident_notice")
    ]
    db_session.expire_all()
    row = next(r for r in incident.controllers if r.organisation_id == a.id)
    assert row.notified_at == now  # the first notice's time stays
    assert_in_words(history, "nl", ignore=("Anna", "Olga Officer", "Bakkerij Alfa"))


def test_a_controllers_contact_cannot_send_the_notice_again(client, login, world, db_session):
    incident = world["incident"]
    login(world["contact"])
    token = csrf_token(client.get("/controller/"))
    resp = client.post(
        f"/staff/incidents/{incident.id}/resend-notice",
        data={"csrf_token": token, "organisation": world["a"].id, "confirm": "yes"},
    )
    assert resp.status_code == 404
    assert db_session.scalars(select(OutboxMail)).all() == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_incident_pages_read_in_words(client, login, world, db_session, language):
    """The officer's incident page (our own data too, the notice sent and sent again, a
    question) and the contact's page, as each reads them: no code, no word of the other
    language (a broken catalogue entry once put an English sentence in the Dutch AP
    section), every time with its zone."""
    incident, a = world["incident"], world["a"]
    incident.own_data = True
    db_session.commit()
    login(world["officer"])
    client.get(f"/lang/{language}")
    base = f"/staff/incidents/{incident.id}"
    token = csrf_token(_page(client, incident))
    ids = {"csrf_token": token, "organisations": [a.id], "own_data": "1"}
    client.post(f"{base}/controllers", data=ids)
    client.post(f"{base}/send-notice", data={"csrf_token": token})
    again = {"csrf_token": token, "organisation": a.id, "confirm": "yes"}
    client.post(f"{base}/resend-notice", data=again)
    db_session.add(
        IncidentUpdate(
            incident_id=incident.id, organisation_id=a.id, kind=UpdateKind.QUESTION,
            body="Welke kolommen?", created_at=incident.created_at,
        )
    )  # fmt: skip
    db_session.commit()
    facts = (
        incident.title, incident.description, incident.consequences, incident.measures_taken,
        incident.measures_proposed, "names", "postal addresses", "customers", "Welke kolommen?",
        "Bakkerij Alfa", "Sportclub Beta", "Anna", "Olga Officer", "Mail Succes",
    )  # fmt: skip
    pages = [base, "/staff/incidents/"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert 'id="own-data"' in html or path != base
        assert ">Gegeven<" not in html  # the noun "Record" (a data record) on a button
        assert_in_words(html, language, where=path, ignore=facts)
        assert unzoned_times(html) == [], path
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/staff/"))})
    login(world["contact"])
    client.get(f"/lang/{language}")
    for path in (f"/controller/incidents/{incident.id}", "/controller/incidents/"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert_in_words(html, language, where=path, ignore=facts)
        assert unzoned_times(html) == [], path


def test_a_contacts_repeated_reads_are_one_history_line(client, login, world, db_session):
    """Every read by the contact is audited, but the officer's history does not grow with
    them: one line at the last read, with the count and the first time."""
    incident, a = world["incident"], world["a"]
    login(world["officer"])
    base = f"/staff/incidents/{incident.id}"
    token = csrf_token(_page(client, incident))
    client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": [a.id]})
    client.post(f"{base}/send-notice", data={"csrf_token": token})
    client.post("/auth/logout", data={"csrf_token": token})
    login(world["contact"])
    for _ in range(3):
        assert client.get(f"/controller/incidents/{incident.id}").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/controller/"))})
    login(world["officer"])
    history = _page(client, incident).get_data(as_text=True).split('id="history"', 1)[1]
    read = "Incident gelezen door een contactpersoon van de verwerkingsverantwoordelijke"
    assert history.count(read) == 1
    assert "Bakkerij Alfa · 3 keer, de eerste keer op " in history
