"""The mails of a forward (docs/controllers.md, "Forwarding"): the designated contacts get one
without personal data, in their own language; the subject is told, in the request's
language, which controller decides and how to reach it; a controller's rule forwards right
after verification, through the public link as through staff registration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from operations import forwarding
from operations import intake as intake_ops
from portal.mail import render
from portal.tokens import make_token
from rights.audit import Actor
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.org import Role
from rights.models.request import Channel, RequestState
from rights.requests import Intake, Requester
from rights.righttypes import ErasureDetails
from tests.helpers import csrf_token, ops_context

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # Thursday
SUBJECT = Requester(
    name="Kees Visser", email="kees@example.nl", phone="0612345678", address="Dorpsstraat 1"
)
PERSONAL = ("Kees", "Visser", "kees@example.nl", "0612345678", "Dorpsstraat")


@pytest.fixture
def controller(make_org, make_user, db_session):
    org = make_org(
        name="Bakkerij Brood B.V.",
        contact_name="Functionaris Gegevensbescherming",
        contact_email="privacy@brood.example",
        contact_phone="010-1234567",
        address="Broodstraat 5, 3011 AA Rotterdam",
        website="https://brood.example/privacy",
    )
    nl = make_user(Role.CONTROLLER, organisation=org, email="dpo@brood.example")
    en = make_user(Role.CONTROLLER, organisation=org, email="cto@brood.example")
    nl.designated = en.designated = True
    en.language = "en"
    make_user(Role.CONTROLLER, organisation=org, email="reader@brood.example")  # reads only
    db_session.commit()
    return org


def _mails(db_session, request, template=None):
    query = select(OutboxMail).where(OutboxMail.request_id == request.id)
    if template:
        query = query.where(OutboxMail.template == template)
    return db_session.scalars(query.order_by(OutboxMail.id)).all()


def _text(app, db_session, mail):
    with app.app_context():
        msg = render(db_session, mail)
    return msg["Subject"] + "\n" + msg.get_content()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_forward_tells_the_contacts_without_personal_data_and_the_subject_who_decides(
    app, db_session, controller, make_request, make_user, language
):
    officer = make_user(Role.OFFICER)
    r = make_request(
        ErasureDetails(ground="d"),
        organisation_id=controller.id,
        channel=Channel.EMAIL,
        requester=SUBJECT,
        language=language,
    )
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)
    contacts = forwarding.forward_request(ctx, r)
    db_session.commit()
    assert r.state is RequestState.FORWARDED
    assert {c.email for c in contacts} == {"dpo@brood.example", "cto@brood.example"}

    to_contacts = {m.to_addr: m for m in _mails(db_session, r, "forward")}
    assert set(to_contacts) == {"dpo@brood.example", "cto@brood.example"}
    assert to_contacts["cto@brood.example"].language == "en"
    for mail in to_contacts.values():
        text = _text(app, db_session, mail)
        assert r.reference in text
        assert f"http://localhost/controller/requests/{r.reference}" in text
        assert not [p for p in PERSONAL if p in text], text
    dutch = _text(app, db_session, to_contacts["dpo@brood.example"])
    english = _text(app, db_session, to_contacts["cto@brood.example"])
    assert "Verwijdering" in dutch and "7 apr 2026" in dutch
    assert "Erasure" in english and "7 Apr 2026" in english

    (told,) = _mails(db_session, r, "forwarded_subject")
    assert told.to_addr == "kees@example.nl" and told.language == language
    text = _text(app, db_session, told)
    for detail in (
        "Bakkerij Brood B.V.",
        "Functionaris Gegevensbescherming",
        "privacy@brood.example",
        "010-1234567",
        "Broodstraat 5, 3011 AA Rotterdam",
        "https://brood.example/privacy",
    ):
        assert detail in text
    assert "http://localhost/status/" in text
    said = {"nl": "Wij hebben uw verzoek", "en": "We have passed your request"}[language]
    assert said in text, text


def test_the_subject_is_told_nothing_of_what_discovery_found(
    app, db_session, controller, make_request, make_user
):
    from tests.rights.controllers.test_routing import _discover_and_confirm, _file_source

    _file_source(db_session, controller, "brood-list")
    r = make_request(channel=Channel.EMAIL, requester=SUBJECT)
    _discover_and_confirm(db_session, r)
    forwarding.forward_request(ops_context(app, db_session, None, NOW), r)
    (told,) = _mails(db_session, r, "forwarded_subject")
    text = _text(app, db_session, told)
    assert "Bestand" not in text and "brood-list" not in text and "Kees;" not in text


def _verify_through_the_link(app, client, db_session, r):
    with app.app_context():
        token = make_token("verify-email", {"r": r.id, "g": r.link_generation})
    page = client.get(f"/verify/{token}")
    assert page.status_code == 200
    resp = client.post(f"/verify/{token}", data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    db_session.expire_all()


@pytest.mark.parametrize("auto", [True, False])
def test_a_controllers_rule_forwards_right_after_the_email_is_confirmed(
    app, client, db_session, controller, make_request, auto
):
    controller.auto_forward = auto
    db_session.commit()
    app.config["CLOCK"] = lambda: NOW
    r = make_request(organisation_id=controller.id, channel=Channel.WEB, requester=SUBJECT)
    _verify_through_the_link(app, client, db_session, r)
    assert r.forward_due is not None and r.forward_due.isoformat() == "2026-03-06"
    if auto:
        assert r.state is RequestState.FORWARDED and r.forwarded_at == NOW
        event = db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.request_id == r.id, AuditEvent.action == "request.transition")
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert event.actor_kind == "system" and event.data["to"] == "forwarded"
        assert len(_mails(db_session, r, "forward")) == 2
        assert len(_mails(db_session, r, "forwarded_subject")) == 1
    else:
        assert r.state is RequestState.OPEN and r.forwarded_at is None
        assert _mails(db_session, r, "forward") == []


def test_auto_forward_on_staff_registration_and_a_refused_rule_leaves_it_to_the_officer(
    app, db_session, controller, make_org, make_user
):
    controller.auto_forward = True
    lonely = make_org(name="Zonder Contact B.V.", auto_forward=True)
    officer = make_user(Role.OFFICER)
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)

    def register(org):
        return intake_ops.register(
            ctx,
            Intake(
                right=ErasureDetails().kind,
                details=ErasureDetails(ground="d"),
                requester=SUBJECT,
                received_at=NOW,
                channel=Channel.POST,
                organisation_id=org.id,
            ),
        )

    forwarded = register(controller)
    assert forwarded.state is RequestState.FORWARDED
    left = register(lonely)
    assert left.state is RequestState.OPEN and left.forward_due is not None
    failed = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.request_id == left.id, AuditEvent.action == "request.auto_forward_failed"
        )
    )
    assert failed is not None and failed.data == {"code": "no_designated_contact"}
