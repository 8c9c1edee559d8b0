"""The officer's side of the notice (docs/incidents.md, "Notice to controllers", "When we
are the controller"): the proposal from the files involved, confirming it, the notice mail
without details, follow-ups and answers; the AP draft downloads and the Art. 34 letters."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from portal.mail import render
from rights.models.incident import IncidentState, IncidentUpdate, UpdateKind
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role
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
    return client.get(f"/staff/incidents/{incident.id}/notice")


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


def test_refusals_are_shown_in_words_and_store_nothing(client, login, world, db_session):
    incident = world["incident"]
    login(world["officer"])
    token = csrf_token(_page(client, incident))
    base = f"/staff/incidents/{incident.id}"
    resp = client.post(f"{base}/send-notice", data={"csrf_token": token}, follow_redirects=True)
    assert resp.status_code == 200
    assert "Bevestig eerst de betrokken verwerkingsverantwoordelijken." in resp.get_data(
        as_text=True
    )
    bad = client.post(f"{base}/controllers", data={"csrf_token": token, "organisations": ["x"]})
    assert bad.status_code == 303
    assert not incident.controllers
    assert client.get("/staff/incidents/999999/notice").status_code == 404
    assert db_session.scalars(select(OutboxMail)).all() == []


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
