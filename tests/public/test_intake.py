"""Filing requests through the real app: every right, linked requests, double submit."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.request import RequestState, RightsRequest
from rights.righttypes import RightType
from tests.public.flow import form_url, submit


@pytest.fixture
def operator(make_org):
    from rights.models.org import OrganisationKind

    return make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")


@pytest.mark.parametrize("right", [r.value for r in RightType])
def test_every_right_happy_path(client, db_session, operator, right):
    resp = submit(client, [right])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.reference in html
    assert req.right is RightType(right)
    assert req.state is RequestState.AWAITING_VERIFICATION
    assert req.organisation_id == operator.id
    assert req.requester_customer_number == "K-123"
    assert req.due.strftime("%Y") in html
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.request_id == req.id)).all()
    assert sorted(m.template for m in mails) == ["acknowledgement", "verify_email"]
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.request_id == req.id)
    ).all()
    assert "request.received" in actions


def test_mails_go_out_over_smtp_and_the_link_confirms(app, client, db_session, operator):
    """Acknowledgement and confirmation mail through a real SMTP server; the link from the
    mail shows a button, the POST confirms, the status page shows state and due date."""
    from portal.worker import send_pending
    from tests.public.flow import links
    from tests.smtp import smtp_server

    resp = submit(client, ["erasure"])
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    with smtp_server() as inbox:
        app.config["SMTP_PORT"] = inbox.port
        with app.app_context():
            assert send_pending(app).sent == 2
    by_subject = {m.message["Subject"]: m for m in inbox.messages}
    assert len(by_subject) == 2
    for received in inbox.messages:
        assert received.envelope_to == ["eva@example.nl"]
        assert received.message["Bcc"] is None
    ack = next(m for s, m in by_subject.items() if "ontvangen" in s)
    ack_body = ack.message.get_body().get_content()
    assert req.reference in ack_body
    assert req.due.strftime("%Y") in ack_body
    confirm = next(m for s, m in by_subject.items() if "Bevestig" in s)
    paths = links(confirm.message.get_body().get_content())
    assert set(paths) == {"verify"}
    # GET shows a button and changes nothing.
    page = client.get(paths["verify"])
    assert page.status_code == 200
    assert "Mijn verzoek bevestigen" in page.get_data(as_text=True)
    db_session.refresh(req)
    assert req.state is RequestState.AWAITING_VERIFICATION
    # POST confirms and leads to the status page.
    from tests.helpers import csrf_token

    done = client.post(paths["verify"], data={"csrf_token": csrf_token(page)})
    assert done.status_code == 302 and "/status/" in done.headers["Location"]
    db_session.refresh(req)
    assert req.state is RequestState.OPEN
    assert req.email_verified_at is not None
    status = client.get(done.headers["Location"]).get_data(as_text=True)
    assert req.reference in status
    assert "Ontvangen; wij beginnen er snel aan" in status
    from flask_babel import format_date

    with app.test_request_context():
        assert format_date(req.due, "EEE d MMM yyyy") in status
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.request_id == req.id)
    ).all()
    assert "request.email_confirmed" in actions


def test_several_rights_make_linked_requests_confirmed_by_one_link(
    app, client, db_session, operator
):
    from tests.helpers import csrf_token
    from tests.public.flow import outbox_links

    resp = submit(client, ["access", "erasure", "objection"])
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    made = db_session.scalars(select(RightsRequest).order_by(RightsRequest.id)).all()
    assert [r.right.value for r in made] == ["access", "erasure", "objection"]
    assert {r.group_reference for r in made} == {made[0].reference}
    for r in made:
        assert r.reference in page
    mails = db_session.scalars(select(OutboxMail)).all()
    assert sorted(m.template for m in mails) == ["acknowledgement", "verify_email"]
    verify = outbox_links(app, db_session, "verify_email")["verify"]
    form = client.get(verify)
    client.post(verify, data={"csrf_token": csrf_token(form)})
    for r in made:
        db_session.refresh(r)
        assert r.state is RequestState.OPEN


def test_double_submit_returns_the_same_reference(client, db_session, operator):
    from tests.public.flow import fill

    url, data = fill(client, ["access"])
    first = client.post(url, data=data, content_type="multipart/form-data")
    page1 = client.get(first.headers["Location"]).get_data(as_text=True)
    second = client.post(url, data=data, content_type="multipart/form-data")
    assert second.status_code == 302
    page2 = client.get(second.headers["Location"]).get_data(as_text=True)
    [req] = db_session.scalars(select(RightsRequest)).all()
    assert req.reference in page1 and req.reference in page2
    assert len(db_session.scalars(select(OutboxMail)).all()) == 2


def test_controller_choice_says_it_forwards_and_the_controller_decides(
    client, db_session, make_org, operator
):
    listed = make_org(name="Bakkerij Jansen", slug="bakkerij", listed_publicly=True)
    make_org(name="Bakkerij Geheim", slug="geheim", listed_publicly=False)
    search = client.get("/request?q=bakk").get_data(as_text=True)
    assert "Bakkerij Jansen" in search and "Bakkerij Geheim" not in search
    assert "Weet ik niet" in search
    page = client.get("/request/form?org=c:bakkerij&right=access").get_data(as_text=True)
    assert "Wij sturen uw verzoek door naar Bakkerij Jansen" in page
    assert "beslist over uw verzoek" in page
    assert client.get("/request/form?org=c:geheim&right=access").status_code == 422
    resp = submit(client, ["access"], org="c:bakkerij")
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.organisation_id == listed.id
    unknown = submit(client, ["erasure"], org="unknown")
    assert unknown.status_code == 302
    other = db_session.scalars(select(RightsRequest).where(RightsRequest.id != req.id)).one()
    assert other.organisation_id is None


def test_start_without_choices_explains_what_is_missing(client, operator):
    resp = client.get("/request/form")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Kies de organisatie" in html and "Kies ten minste" in html
    assert 'href="#org-group"' in html


def test_representative_needs_a_mandate_and_it_is_stored_encrypted(
    app, client, db_session, operator
):
    from rights.models.case import Document, DocumentKind
    from tests.public.flow import fill

    url, data = fill(
        client,
        ["access"],
        acting="other",
        subject_name="Mila de Boer",
        relationship="mandate",
    )
    missing = client.post(url, data=data, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Voeg de machtiging toe" in missing.get_data(as_text=True)
    assert db_session.scalars(select(RightsRequest)).all() == []
    pdf = b"%PDF-1.7 mandate of Mila de Boer"
    data["mandate"] = (io.BytesIO(pdf), "volmacht.pdf")
    resp = client.post(url, data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.requester_name == "Mila de Boer"
    assert req.requester_email == "eva@example.nl"
    assert req.representative["name"] == "Eva de Boer"
    assert req.representative["relationship"] == "mandate"
    doc = db_session.scalars(select(Document)).one()
    assert doc.kind is DocumentKind.MANDATE and doc.request_id == req.id
    from portal.storage import document_store

    store = document_store(app)
    assert pdf not in store.path(doc.storage_key).read_bytes()
    assert store.read(doc) == pdf


def test_acting_for_someone_else_needs_their_name_and_the_relationship(
    client, db_session, operator
):
    from tests.public.flow import fill

    url, data = fill(client, ["access"], acting="other", subject_name="")
    resp = client.post(url, data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'href="#subject_name"' in html and 'href="#relationship"' in html
    assert "Vul de naam in van de persoon" in html and "Kies wat u van deze persoon bent" in html
    assert db_session.scalars(select(RightsRequest)).all() == []
    # A parent of a young child may file without an upload; the officer can ask later.
    url, data = fill(
        client,
        ["access"],
        acting="other",
        subject_name="Mila",
        relationship="parent",
        child_age="young",
    )
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302


def test_a_reference_drawn_twice_still_files_the_request(
    client, db_session, operator, make_request, monkeypatch
):
    """References are unique by constraint, not by a look-up before every insert: a repeat
    (about one in a million) is refused by the database and the request is filed again."""
    from rights import requests as request_ops

    taken = make_request().reference
    drawn = iter([taken, "AVG-0000-0001"])
    monkeypatch.setattr(request_ops, "new_reference", lambda: next(drawn))
    resp = submit(client, ["access"])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    refs = set(db_session.scalars(select(RightsRequest.reference)))
    assert refs == {taken, "AVG-0000-0001"}


def test_the_sent_page_shows_the_receipt_only_to_the_browser_that_sent_it(
    app, client, db_session, operator
):
    """The "sent" page's link carries the new requests' ids, signed and bound to the
    sender's session: another browser with the same link, a changed link or a link without
    its receipt sees the start page, not the reference."""
    resp = submit(client, ["access"])
    link = resp.headers["Location"]
    reference = db_session.scalars(select(RightsRequest.reference)).one()
    assert reference in client.get(link).get_data(as_text=True)
    assert reference in client.get(link).get_data(as_text=True)  # a reload still shows it
    other = app.test_client()
    assert other.get(form_url(["access"])).status_code == 200  # a CSRF secret of its own
    for browser, url in [
        (other, link),
        (client, link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")),
        (client, "/request/sent"),
    ]:
        page = browser.get(url)
        assert page.status_code == 302, url
        assert reference not in page.get_data(as_text=True)


def test_a_refused_form_comes_back_with_a_token_that_files_it(client, db_session, operator):
    """The form's CSRF token is signed only when a page is rendered: the page of a refused
    submit shows a real token (not an object's name), and sending the corrected form with
    it files the request."""
    from tests.helpers import csrf_token
    from tests.public.flow import fill

    url, data = fill(client, ["access"], email="not an address")
    refused = client.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 422
    token = csrf_token(refused)
    assert "object at" not in token and len(token) > 40
    data.update(csrf_token=token, email="eva@example.nl")
    filed = client.post(url, data=data, content_type="multipart/form-data")
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    assert db_session.scalars(select(RightsRequest.requester_email)).one() == "eva@example.nl"
