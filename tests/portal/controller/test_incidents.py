"""Incidents in the controller portal (docs/incidents.md, "Notice to controllers"): the
list and page show the organisation's own incidents with the Art. 33(3) information in
Amsterdam time, never a note; a designated contact acknowledges, a colleague only reads;
questions are recorded; the measures against recurrence appear once closed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rights.models.incident import IncidentState, IncidentUpdate, UpdateKind
from rights.models.mail import OutboxMail
from rights.models.org import Role
from tests.helpers import csrf_token
from tests.portal.controller.conftest import NOW


def _fill(db_session, side):
    i = side.incident
    i.description = "Het adresbestand is naar de verkeerde drukker gestuurd."
    i.data_categories, i.subject_categories = ["namen", "adressen"], ["klanten"]
    i.approx_subjects, i.approx_records = 1200, 1250
    i.consequences, i.measures_taken = "Ongevraagde post.", "Drukker heeft het bestand gewist."
    i.measures_proposed = "Alleen nog via het portaal."
    db_session.add_all([
        IncidentUpdate(incident_id=i.id, kind=UpdateKind.NOTE, body="GEHEIME NOTITIE", created_at=NOW),
        IncidentUpdate(incident_id=i.id, kind=UpdateKind.FOLLOW_UP, body="Update voor iedereen", created_at=NOW),
        IncidentUpdate(incident_id=i.id, organisation_id=side.org.id, kind=UpdateKind.ANSWER, body="Antwoord aan Alfa", created_at=NOW),
    ])  # fmt: skip
    db_session.commit()


def test_the_page_shows_the_art_33_3_information_and_never_a_note(client, login, world, db_session):
    a, b = world.a, world.b
    _fill(db_session, a)
    db_session.add(
        IncidentUpdate(
            incident_id=a.incident.id,
            organisation_id=b.org.id,
            kind=UpdateKind.ANSWER,
            body="Antwoord aan Beta",
            created_at=NOW,
        )
    )
    db_session.commit()
    login(a.contact)
    listing = client.get("/controller/incidents/").get_data(as_text=True)
    assert a.incident.reference in listing and b.incident.reference not in listing
    html = client.get(f"/controller/incidents/{a.incident.id}").get_data(as_text=True)
    for shown in (
        "verkeerde drukker", "namen, adressen", "klanten", "1200", "1250", "Ongevraagde post",
        "bestand gewist", "Alleen nog via het portaal", "Update voor iedereen", "Antwoord aan Alfa",
    ):  # fmt: skip
        assert shown in html, shown
    assert "GEHEIME NOTITIE" not in html and "Antwoord aan Beta" not in html
    # Discovered 07:00 UTC = 08:00 in Amsterdam (winter time); due 21 hours after NOW.
    assert "5 mrt 2026 08:00" in html and "6 mrt 2026 08:00" in html
    assert 'name="csrf_token"' in html and "acknowledge" in html


def test_a_designated_contact_acknowledges_and_a_colleague_only_reads(
    client, login, world, db_session, make_user
):
    a = world.a
    reader = make_user(Role.CONTROLLER, organisation=a.org, name="Lezer Alfa")
    login(reader)
    page = client.get(f"/controller/incidents/{a.incident.id}")
    html = page.get_data(as_text=True)
    assert "/acknowledge" not in html and a.contact.name in html
    resp = client.post(
        f"/controller/incidents/{a.incident.id}/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 403  # the page again, with the reason in words
    assert (
        "Alleen de aangewezen contactpersonen"
        in resp.get_data(as_text=True).split('id="problem"', 1)[1]
    )
    db_session.expire_all()
    assert a.incident.controllers[0].acknowledged_at is None
    logged_out = client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert logged_out.status_code == 302 and "/auth/login" in logged_out.headers["Location"]
    login(a.contact)
    page = client.get(f"/controller/incidents/{a.incident.id}")
    resp = client.post(
        f"/controller/incidents/{a.incident.id}/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 303
    db_session.expire_all()
    row = a.incident.controllers[0]
    assert (row.acknowledged_at, row.acknowledged_by_id) == (NOW, a.contact.id)
    twice = client.post(
        f"/controller/incidents/{a.incident.id}/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    assert twice.status_code == 409
    assert "De ontvangst van deze melding is al bevestigd." in twice.get_data(as_text=True)
    html = client.get(f"/controller/incidents/{a.incident.id}").get_data(as_text=True)
    assert a.contact.name in html and "/acknowledge" not in html


def test_a_question_is_recorded_and_the_officers_are_mailed(
    client, login, world, db_session, make_user
):
    a = world.a
    make_user(Role.OFFICER, email="officer@operator.example")
    login(a.contact)
    page = client.get(f"/controller/incidents/{a.incident.id}")
    token = csrf_token(page)
    # Spaces, or only invisible characters (zero-width space, a direction mark): no question.
    for blank in (" ", "\u200b", "\u200e \ufeff"):
        empty = client.post(
            f"/controller/incidents/{a.incident.id}/questions",
            data={"csrf_token": token, "body": blank},
        )
        assert empty.status_code == 422, repr(blank)
        assert 'id="problem"' in empty.get_data(as_text=True)
    resp = client.post(
        f"/controller/incidents/{a.incident.id}/questions",
        data={"csrf_token": token, "body": "Welke kolommen?"},
    )
    assert resp.status_code == 303
    questions = db_session.scalars(select(IncidentUpdate)).all()
    assert [(q.kind, q.organisation_id, q.body) for q in questions] == [
        (UpdateKind.QUESTION, a.org.id, "Welke kolommen?")
    ]
    mails = db_session.scalars(select(OutboxMail)).all()
    assert [(m.to_addr, m.template) for m in mails] == [
        ("officer@operator.example", "incident_question")
    ]
    assert "Welke kolommen?" in client.get(f"/controller/incidents/{a.incident.id}").get_data(
        as_text=True
    )


def test_the_measures_against_recurrence_show_once_closed(client, login, world, db_session):
    a = world.a
    a.incident.measures_recurrence = "Vier-ogen-controle op elke verzending."
    db_session.commit()
    login(a.contact)
    url = f"/controller/incidents/{a.incident.id}"
    assert "Vier-ogen-controle" not in client.get(url).get_data(as_text=True)
    a.incident.state, a.incident.closed_at = IncidentState.CLOSED, NOW + timedelta(days=2)
    db_session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Vier-ogen-controle" in html and 'name="body"' not in html


def test_an_incident_not_yet_told_is_not_shown(client, login, world, db_session):
    a = world.a
    a.incident.controllers[0].notified_at = None
    db_session.commit()
    login(a.contact)
    assert a.incident.reference not in client.get("/controller/incidents/").get_data(as_text=True)
    assert client.get(f"/controller/incidents/{a.incident.id}").status_code == 404
