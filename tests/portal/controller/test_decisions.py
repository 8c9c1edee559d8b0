"""Decisions through the controller portal (issue 12): each records the right
``ControllerDecision`` and audit event, named after the contact; the request-level ones
have their effect through the processor's own paths; a refusal of the domain shows in
words and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.mail import render
from rights.controllers.approvals import plan_digest
from rights.models.audit import AuditEvent
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.mail import OutboxMail
from rights.models.org import Role
from rights.models.request import RequestState
from tests.helpers import csrf_token


def page_of(side):
    return f"/controller/requests/{side.request.reference}"


def post(client, side, suffix, **data):
    token = csrf_token(client.get(page_of(side)))
    return client.post(page_of(side) + suffix, data={"csrf_token": token, **data})


def decisions(db_session):
    db_session.expire_all()
    return db_session.scalars(select(ControllerDecision).order_by(ControllerDecision.id)).all()


def events(db_session, action):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_request_page_shows_what_the_contact_decides_on(client, login, world):
    a = world.a
    login(a.contact)
    html = client.get(page_of(a)).get_data(as_text=True)
    assert "Eva bij Alfa" in html  # the matched row's values, from their own file
    assert a.source.name in html and f'id="action-{a.action.id}"' in html
    assert f'id="package-{a.package.id}"' in html
    assert "Mailing Beta" not in html and "Eva bij Beta" not in html
    assert "erase" not in html and "forwarded" not in html  # words, not codes


def test_approve_an_action(client, login, world, db_session):
    a = world.a
    login(a.contact)
    resp = post(client, a, f"/actions/{a.action.id}/decision", decision="approve")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"#action-{a.action.id}")
    (d,) = decisions(db_session)
    assert (d.kind, d.action_id, d.decided_by_id) == (
        DecisionKind.APPROVE,
        a.action.id,
        a.contact.id,
    )
    assert d.digest == plan_digest(a.action.plan)
    (event,) = events(db_session, "controller.action_approved")
    assert event.actor_id == a.contact.id and event.request_id == a.request.id
    assert "Goedgekeurd" in client.get(page_of(a)).get_data(as_text=True)


def test_reject_without_a_reason_is_refused_in_words(client, login, world, db_session):
    a = world.a
    login(a.contact)
    resp = post(client, a, f"/actions/{a.action.id}/decision", decision="reject", reason=" ")
    assert resp.status_code == 422
    assert "Geef een reden" in resp.get_data(as_text=True)
    assert decisions(db_session) == []
    client.get("/lang/en?next=/controller/")
    resp = post(client, a, f"/actions/{a.action.id}/decision", decision="reject")
    assert resp.status_code == 422 and "Give a reason" in resp.get_data(as_text=True)
    assert decisions(db_session) == []


def test_reject_and_comment_with_a_reason(client, login, world, db_session):
    a = world.a
    login(a.contact)
    post(client, a, f"/actions/{a.action.id}/decision", decision="approve")
    post(client, a, f"/actions/{a.action.id}/decision", decision="reject", reason="Bewaarplicht")
    post(client, a, f"/actions/{a.action.id}/decision", decision="comment", reason="Bel ons")
    approve, reject, comment = decisions(db_session)
    assert approve.lapsed_at is not None  # superseded by the rejection
    assert (reject.kind, reject.reason) == (DecisionKind.REJECT, "Bewaarplicht")
    assert (comment.kind, comment.reason) == (DecisionKind.COMMENT, "Bel ons")
    assert events(db_session, "controller.action_rejected")
    assert events(db_session, "controller.action_commented")


def test_approve_and_reject_a_package(client, login, world, db_session):
    a = world.a
    login(a.contact)
    resp = post(client, a, f"/packages/{a.package.id}/decision", decision="approve")
    assert resp.status_code == 303
    resp = post(client, a, f"/packages/{a.package.id}/decision", decision="reject", reason="Nee")
    assert resp.status_code == 303
    approve, reject = decisions(db_session)
    assert (approve.package_id, approve.digest) == (a.package.id, a.package.sha256)
    assert reject.kind is DecisionKind.REJECT and approve.lapsed_at is not None
    assert events(db_session, "controller.package_approved")


def test_ask_for_more_proof_of_identity(client, login, world, db_session):
    a = world.a
    login(a.contact)
    question = "Stuur ons uw klantnummer."
    resp = post(client, a, "/decision", decision="ask_identity", reason=question)
    assert resp.status_code == 303
    (d,) = decisions(db_session)
    assert d.kind is DecisionKind.ASK_IDENTITY and d.reason == question
    db_session.refresh(a.request)
    assert a.request.state is RequestState.AWAITING_INFORMATION
    (pause,) = a.request.suspensions
    assert pause.reason == "identity" and pause.asked_by_id == a.contact.id
    mails = db_session.scalars(select(OutboxMail.template)).all()
    assert "information_requested" in mails


def test_extend(client, login, world, db_session):
    a = world.a
    login(a.contact)
    resp = post(client, a, "/decision", decision="extend", extension_ground="complexity")
    assert resp.status_code == 422  # the facts are required
    assert decisions(db_session) == []
    facts = "Twaalf bronnen moeten handmatig worden doorzocht."
    resp = post(
        client, a, "/decision", decision="extend", extension_ground="complexity", reason=facts
    )
    assert resp.status_code == 303
    (d,) = decisions(db_session)
    assert d.kind is DecisionKind.EXTEND
    db_session.refresh(a.request)
    assert a.request.extended and a.request.extension_justification == facts
    assert db_session.scalar(select(func.count()).where(OutboxMail.template == "extension_notice"))


def test_refuse_only_on_an_allowed_ground(client, login, world, db_session):
    a = world.a
    login(a.contact)
    resp = post(client, a, "/decision", decision="refuse", ground="art_20_1", reason="Nee")
    assert resp.status_code == 422
    assert "weigeringsgrond die bij dit recht past" in resp.get_data(as_text=True)
    assert decisions(db_session) == []
    resp = post(client, a, "/decision", decision="refuse", ground="art_17_3_b", reason="Wet")
    assert resp.status_code == 303
    (d,) = decisions(db_session)
    assert (d.kind, d.ground) == (DecisionKind.REFUSE, "art_17_3_b")


def test_we_answer_ourselves(client, login, world, db_session):
    a = world.a
    login(a.contact)
    assert post(client, a, "/decision", decision="answer_ourselves").status_code == 303
    db_session.refresh(a.request)
    assert a.request.controller_answers
    assert events(db_session, "controller.answers_ourselves")


def test_send_decisions_to_the_processor(app, client, login, world, db_session, make_user):
    a = world.a
    officer = make_user(Role.OFFICER, email="olga@desk.example")
    login(a.contact)
    post(client, a, f"/actions/{a.action.id}/decision", decision="approve")
    resp = post(client, a, "/send")
    assert resp.status_code == 303
    db_session.refresh(a.request)
    assert a.request.state is RequestState.IN_PROGRESS
    (event,) = events(db_session, "controller.decisions_sent")
    assert event.actor_id == a.contact.id
    (mail,) = db_session.scalars(select(OutboxMail).where(OutboxMail.to_addr == officer.email))
    with app.app_context():
        text = render(db_session, mail).get_content()
    assert a.request.reference in text
    assert "Eva" not in text and "eva@example.nl" not in text  # no personal data
    # Done: the button is gone, and sending again is refused in words.
    html = client.get(page_of(a)).get_data(as_text=True)
    assert "/send" not in html
    assert post(client, a, "/send").status_code == 409
