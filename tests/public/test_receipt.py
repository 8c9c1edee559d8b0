"""What takes effect on receipt (docs/legal.md, "On receipt" and "Representatives and
minors"), through the real app with CSRF on: an objection to direct marketing or a
withdrawal of consent puts the person on the suppression list before anything is
confirmed, the mailing filter then leaves them out; a parent acting for a child is routed
by the child's age."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.mail import render
from portal.public.labels import child_age_choices
from rights.audit import Actor
from rights.crypto import parse_key
from rights.identifiers import identifier_hash
from rights.keys import identifier_hash_key_v1
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role
from rights.models.request import Channel, RequestState, RightsRequest
from rights.models.source import SuppressionEntry
from rights.receipt import FLAG_MINOR_REVIEW, FLAG_OPERATOR_LIST, check_minor
from rights.requests import Intake, Requester, create_request
from rights.righttypes import ObjectionDetails, RightType, WithdrawConsentDetails
from tests.helpers import csrf_token
from tests.public.flow import fill, links, submit

MARKETING = {"objection_basis": "direct_marketing", "objection_situation": ""}
PERSON = {
    "email": "Eva@Example.NL",
    "phone": "06-12345678",
    "address": "Dorpsstraat 12a\n1234 AB Ergens",
    "customer_number": "k-123",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def operator(make_org):
    return make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")


@pytest.fixture
def hash_key(app):
    return identifier_hash_key_v1(parse_key(app.config["ENCRYPTION_KEY"]))


def entries(db_session, org_id=None):
    stmt = select(SuppressionEntry).order_by(SuppressionEntry.id)
    if org_id is not None:
        stmt = stmt.where(SuppressionEntry.organisation_id == org_id)
    return list(db_session.scalars(stmt))


def ack_body(app, db_session, req):
    mail = db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.request_id == req.id, OutboxMail.template == "acknowledgement"
        )
    ).one()
    with app.app_context():
        return render(db_session, mail).get_body().get_content()


def test_marketing_objection_suppresses_on_receipt_and_says_so(
    app, client, db_session, operator, hash_key
):
    resp = submit(client, ["objection"], **MARKETING, **PERSON)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    req = db_session.scalars(select(RightsRequest)).one()
    # Nothing confirmed yet, and the person is already on the operator's list.
    assert req.state is RequestState.AWAITING_VERIFICATION
    stored = {e.identifier_hash for e in entries(db_session, operator.id)}
    assert stored == {
        identifier_hash(hash_key, "email", "eva@example.nl"),
        identifier_hash(hash_key, "phone", "+31612345678"),
        identifier_hash(hash_key, "customer_number", "K-123"),
        identifier_hash(hash_key, "address", "1234AB:12A"),
    }
    assert {(e.reason, e.request_id) for e in entries(db_session)} == {("objection", req.id)}
    assert not req.review_flags  # the controller is known: nothing for the officer to chase
    # Audited without personal data: codes and counts only.
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "suppression.applied_on_receipt")
    ).one()
    assert event.request_id == req.id and event.data["added"] == 4
    text = json.dumps(event.data)
    for secret in ("eva", "6123", "1234", "K-123", "k-123", *stored):
        assert secret.lower() not in text.lower()
    # The confirmation page and the acknowledgement say plainly that marketing stops now.
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "De reclame stopt nu" in page and req.reference in page
    body = ack_body(app, db_session, req)
    assert "De reclame stopt nu" in body
    assert "e-mailadres te bevestigen" in body  # the normal flow still goes on
    status = client.get(links(body)["status"]).get_data(as_text=True)
    assert "Gestopt op het moment dat wij uw verzoek ontvingen" in status


def test_withdrawal_of_consent_in_english_takes_effect_on_receipt(
    app, client, db_session, operator
):
    client.get("/lang/en")
    resp = submit(client, ["withdraw_consent"], **PERSON)
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert {e.reason for e in entries(db_session, operator.id)} == {"consent_withdrawn"}
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Advertising stops now" in page
    assert "Advertising stops now" in ack_body(app, db_session, req)


def test_objection_on_particular_grounds_waits_for_the_officer(client, db_session, operator):
    resp = submit(client, ["objection"])  # flow default: Art. 21(1) with a situation
    assert resp.status_code == 302
    assert entries(db_session) == []
    assert "De reclame stopt nu" not in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_double_submit_and_a_second_request_add_nothing(client, db_session, operator):
    url, data = fill(client, ["objection"], **MARKETING, **PERSON)
    first = client.post(url, data=dict(data), content_type="multipart/form-data")
    again = client.post(url, data=dict(data), content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    assert len(entries(db_session)) == 4
    # A new request for the same person (new form, withdrawal as well): no error, no copies.
    resp = submit(client, ["objection", "withdraw_consent"], **MARKETING, **PERSON)
    assert resp.status_code == 302
    assert len(entries(db_session)) == 4
    assert db_session.scalar(select(func.count()).select_from(RightsRequest)) == 3
    added = db_session.scalars(
        select(AuditEvent.data).where(AuditEvent.action == "suppression.applied_on_receipt")
    ).all()
    assert sorted(d["added"] for d in added) == [0, 0, 4]
    assert sorted(d["already_listed"] for d in added) == [0, 4, 4]


def test_a_chosen_controller_gets_the_entry(client, db_session, operator, make_org):
    shop = make_org(name="Webwinkel", slug="webwinkel", listed_publicly=True)
    resp = submit(client, ["objection"], org="c:webwinkel", **MARKETING, **PERSON)
    assert resp.status_code == 302
    assert len(entries(db_session, shop.id)) == 4
    assert entries(db_session, operator.id) == []


def test_unknown_organisation_goes_on_the_operators_list_and_is_flagged(
    client, db_session, operator, login, make_user
):
    resp = submit(client, ["objection"], org="unknown", **MARKETING, **PERSON)
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.organisation_id is None
    assert len(entries(db_session, operator.id)) == 4
    assert req.review_flags == [FLAG_OPERATOR_LIST]
    # The officer sees it in the queue once the address is confirmed.
    req.state = RequestState.OPEN
    db_session.flush()
    login(make_user(Role.OFFICER))
    queue = client.get("/staff/").get_data(as_text=True)
    assert req.reference in queue
    assert "lijst van de beheerder" in queue


def test_representative_suppresses_the_subject_not_themselves(
    client, db_session, operator, hash_key
):
    resp = submit(
        client,
        ["objection"],
        **MARKETING,
        acting="other",
        name="Jan Jurist",
        email="jan@advocaat.example",
        phone="06-99999999",
        subject_name="Eva de Boer",
        subject_email="eva@example.nl",
        relationship="lawyer",
        customer_number="",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert {e.identifier_hash for e in entries(db_session)} == {
        identifier_hash(hash_key, "email", "eva@example.nl")
    }


def test_mailing_filter_then_leaves_the_person_out(client, db_session, operator, login, make_user):
    assert submit(client, ["withdraw_consent"], **PERSON).status_code == 302
    mailing = (
        b"Naam;E-mailadres;Telefoon;Klantnummer;Postcode;Huisnummer\r\n"
        b"Eva;EVA@example.nl;;;;\r\n"  # e-mail, spelled differently
        b"E. de Boer;;+31 6 12345678;;;\r\n"  # phone
        b"Mevr. Boer;;;K-123;;\r\n"  # customer number
        b"Bewoner;;;;1234 ab;12 A\r\n"  # address
        b"Piet;piet@example.nl;0201234567;K-9;1000AA;1\r\n"  # someone else
    )
    login(make_user(Role.ADMIN))
    page = client.get("/staff/sources/suppression")
    resp = client.post(
        "/staff/sources/suppression",
        data={
            "csrf_token": csrf_token(page),
            "organisation": str(operator.id),
            "file": (io.BytesIO(mailing), "mailing.csv"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    assert resp.headers["X-Suppressed-Count"] == "4" and resp.headers["X-Kept-Count"] == "1"
    out = resp.get_data().decode("utf-8-sig")
    assert "piet@example.nl" in out and "Eva" not in out and "K-123" not in out


def test_staff_registration_applies_it_in_the_same_transaction(
    db_session, operator, hash_key, policy, make_user
):
    officer = make_user(Role.OFFICER)
    now = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    intake = Intake(
        right=RightType.OBJECTION,
        details=ObjectionDetails(basis="direct_marketing"),
        requester=Requester(name="Eva", email="", phone="", customer_number="K-7"),
        received_at=now,
        channel=Channel.POST,
        organisation_id=operator.id,
    )
    savepoint = db_session.begin_nested()
    req = create_request(
        db_session, intake, actor=Actor.user(officer.id), now=now, policy=policy, hash_key=hash_key
    )
    assert req.state is RequestState.OPEN
    assert [e.identifier_hash for e in entries(db_session)] == [
        identifier_hash(hash_key, "customer_number", "K-7")
    ]
    savepoint.rollback()  # rolled back with the request: one transaction
    assert entries(db_session) == []


def test_no_usable_identifier_is_flagged(db_session, operator, hash_key, policy, make_user):
    officer = make_user(Role.OFFICER)
    now = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    intake = Intake(
        right=RightType.WITHDRAW_CONSENT,
        details=WithdrawConsentDetails(which_consent="de nieuwsbrief"),
        requester=Requester(name="Eva", email="not an address"),
        received_at=now,
        channel=Channel.PHONE,
        organisation_id=operator.id,
    )
    req = create_request(
        db_session, intake, actor=Actor.user(officer.id), now=now, policy=policy, hash_key=hash_key
    )
    assert entries(db_session) == []
    assert req.review_flags == ["suppression_without_identifier"]


# --- minors (docs/legal.md, "Representatives and minors") ---------------------------------


def parent(client, age, **extra):
    return submit(
        client,
        ["access"],
        acting="other",
        subject_name="Mila de Boer",
        relationship="parent",
        child_age=age,
        **extra,
    )


def test_parent_must_say_how_old_the_child_is(client, db_session, operator):
    resp = parent(client, "")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#child_age"' in html and "Kies hoe oud het kind is" in html
    assert db_session.scalars(select(RightsRequest)).all() == []


def test_child_of_twelve_to_fifteen_goes_to_manual_review(
    app, client, db_session, operator, login, make_user
):
    resp = parent(client, "review")
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.review_flags == [FLAG_MINOR_REVIEW]
    assert req.representative["child_age"] == "review"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Een medewerker bekijkt deze aanvraag persoonlijk" in page
    assert "kind van 12 tot en met 15 jaar" in page and "belang van het kind" in page
    assert "belang van het kind" in ack_body(app, db_session, req)
    assert db_session.scalars(
        select(AuditEvent.data).where(AuditEvent.action == "request.minor_review")
    ).one() == {"from_age": 12, "until_age": 16}
    req.state = RequestState.OPEN
    db_session.flush()
    login(make_user(Role.OFFICER))
    assert "weeg het belang van het kind" in client.get("/staff/").get_data(as_text=True)


def test_young_child_needs_no_review(client, db_session, operator):
    assert parent(client, "young").status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert not req.review_flags


def test_child_of_sixteen_or_older_needs_their_own_mandate(client, db_session, operator):
    resp = parent(client, "own")
    assert resp.status_code == 422
    assert "beslist het kind zelf" in resp.get_data(as_text=True)
    assert db_session.scalars(select(RightsRequest)).all() == []
    resp = parent(client, "own", mandate=(io.BytesIO(PDF), "machtiging-mila.pdf"))
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert not req.review_flags


def test_age_thresholds_come_from_the_configuration(app, client, db_session, operator):
    app.config.update(MINOR_REVIEW_FROM_AGE=14, MINOR_SELF_FROM_AGE=17)
    client.get("/lang/en")
    url, _ = fill(client, ["access"])
    html = client.get(url).get_data(as_text=True)
    assert "Younger than 14" in html and "14 to 16 years" in html and "17 years or older" in html
    resp = parent(client, "review")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "a child aged 14 to 16" in page
    event = db_session.scalars(
        select(AuditEvent.data).where(AuditEvent.action == "request.minor_review")
    ).one()
    assert event == {"from_age": 14, "until_age": 17}


def test_domain_refuses_a_parent_without_age_or_mandate():
    from rights.errors import ValidationFailed

    check_minor({"relationship": "lawyer"}, has_mandate=False)
    check_minor({"relationship": "parent", "child_age": "own"}, has_mandate=True)
    with pytest.raises(ValidationFailed) as missing:
        check_minor({"relationship": "parent"}, has_mandate=True)
    assert missing.value.code == "child_age_missing"
    with pytest.raises(ValidationFailed) as no_mandate:
        check_minor({"relationship": "parent", "child_age": "own"}, has_mandate=False)
    assert no_mandate.value.code == "minor_mandate_missing"


def test_config_check_refuses_thresholds_in_the_wrong_order():
    from portal.config import problems

    assert not [p for p in problems({}) if "MINOR" in p]
    bad = problems({"MINOR_REVIEW_FROM_AGE": 16, "MINOR_SELF_FROM_AGE": 12})
    assert any("PORTAL_MINOR_REVIEW_FROM_AGE" in p for p in bad)


def test_a_forged_age_band_is_refused_and_other_relationships_ignore_it(
    client, db_session, operator
):
    resp = parent(client, "99")
    assert resp.status_code == 422 and 'href="#child_age"' in resp.get_data(as_text=True)
    resp = submit(
        client,
        ["access"],
        acting="other",
        subject_name="Mila de Boer",
        relationship="lawyer",
        child_age="review",
    )
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert "child_age" not in req.representative and not req.review_flags


def test_the_acknowledgement_over_smtp_says_marketing_stops_now(app, client, db_session, operator):
    from portal.worker import send_pending
    from tests.smtp import smtp_server

    assert submit(client, ["objection"], **MARKETING, **PERSON).status_code == 302
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    with smtp_server() as inbox:
        app.config["SMTP_PORT"] = inbox.port
        with app.app_context():
            assert send_pending(app).sent == 2
    bodies = [m.message.get_body().get_content() for m in inbox.messages]
    ack = [b for b in bodies if "De reclame stopt nu" in b]
    assert len(ack) == 1 and "vanaf het moment dat wij het ontvingen" in ack[0]


def test_the_age_bands_are_kept_per_language(app):
    """The bands are translated once per language and ages (``child_age_choices``): a
    later call in another language gets that language, not the first one's words."""
    with app.test_request_context("/"):
        with force_locale("nl"):
            nl = child_age_choices(13, 16)
        with force_locale("en"):
            en = child_age_choices(13, 16)
        with force_locale("nl"):
            assert child_age_choices(13, 16) == nl
        assert child_age_choices(12, 16) != child_age_choices(13, 16)
    assert en == [
        ("young", "Younger than 13"),
        ("review", "13 to 15 years"),
        ("own", "16 years or older"),
    ]
    assert nl[0][1] != en[0][1] and "13" in nl[0][1]
