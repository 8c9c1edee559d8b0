"""Certificates of an executed erasure, approved by the controller's contact, downloaded
from the controller portal as JSON and PDF (docs/controllers.md, "Results back to the
controller")."""

from __future__ import annotations

from sqlalchemy import select

from operations.certificates import SCHEMA, action_json, render_html
from rights.controllers.certificates import action_certificate
from rights.models.audit import AuditEvent
from tests.helpers import ops_context
from tests.portal.controller.results_world import build, executed_erasure, freeze


def test_contact_downloads_the_certificate_of_an_approved_erasure(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    action = executed_erasure(db_session, world, world.a, now)
    login(world.a.contact)

    page = client.get("/controller/certificates/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.a.request.reference in html
    assert world.b.request.reference not in html

    resp = client.get(f"/controller/certificates/{action.id}.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    data = resp.get_json()
    assert data["schema"] == SCHEMA and data["version"] == 1 and data["type"] == "erasure"
    assert data["request_reference"] == world.a.request.reference
    assert data["source"] == world.a.source.name
    assert data["approved_by"] == world.a.contact.name and data["approval"] == "approval"
    assert data["executed_by"] == world.second_officer.name
    assert data["processor"] == "Verwerker BV"
    assert data["operations"] == [
        {"table": "data_record", "effect": "deleted", "records": 1, "fields": []}
    ]
    assert data["executed_at"].endswith("+01:00")  # Amsterdam time in March
    assert data["time_zone"] == "Europe/Amsterdam"  # the file names its zone
    body = resp.get_data(as_text=True)
    assert "kees@example.nl" not in body.lower() and "Visser" not in body  # no personal values

    pdf = client.get(f"/controller/certificates/{action.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"]

    downloads = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.downloaded")
    ).all()
    assert [e.data["format"] for e in downloads] == ["json", "pdf"]
    assert {e.actor_id for e in downloads} == {world.a.contact.id}


def test_the_pdf_says_what_was_done_in_words(
    app, db_session, make_org, make_user, make_request, now
):
    world = build(db_session, make_org, make_user, make_request, now)
    action = executed_erasure(db_session, world, world.a, now)
    cert = action_certificate(db_session, world.a.org.id, action.id)
    for language, words in (
        ("en", ("Certificate of erasure", "deleted", "Approved by", "Nothing was kept.")),
        ("nl", ("Verklaring van verwijdering", "verwijderd", "Goedgekeurd door")),
    ):
        ctx = ops_context(app, db_session).in_language(language)
        html = render_html(ctx, action_json(cert, ctx.texts()), cert)
        for word in words:
            assert word in html, (language, word)
        assert world.a.request.reference in html and world.a.contact.name in html
        assert "11:00" in html  # 10:00 UTC shown in Amsterdam time
        assert "erase" not in html.replace("erasure", "")  # no enum values


def test_another_organisations_certificate_is_not_found(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    theirs = executed_erasure(db_session, world, world.b, now)
    login(world.a.contact)
    for suffix in ("pdf", "json"):
        assert client.get(f"/controller/certificates/{theirs.id}.{suffix}").status_code == 404
        assert client.get(f"/controller/certificates/999999.{suffix}").status_code == 404
    assert world.b.request.reference not in client.get("/controller/certificates/").get_data(
        as_text=True
    )
