"""The status page: state, due date, history, messages, answer letters; answering a
question (the clock pauses and runs again), uploads only when asked; withdraw; auto-close."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.tokens import make_token
from rights.audit import Actor
from rights.db import now_utc
from rights.deadlines import compute_deadlines, local_date
from rights.messages import post_message
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter, Document, DocumentKind, Message, Party
from rights.models.mail import OutboxMail
from rights.models.request import Channel, Outcome, RequestState
from rights.requests import suspend
from tests.helpers import csrf_token


@pytest.fixture
def officer(make_user):
    return make_user()


def _status(app, req):
    with app.test_request_context():
        return "/status/" + make_token("status", {"r": req.id})


def _open_request(make_request, days_ago=10):
    received = now_utc() - timedelta(days=days_ago)
    return make_request(received_at=received, channel=Channel.EMAIL)


def test_status_page_shows_state_due_history_messages_and_sent_letters_only(
    app, client, db_session, make_request, officer, policy
):
    req = _open_request(make_request)
    post_message(
        db_session,
        req,
        "Welke klantnummers hebt u?",
        sender=Party.OFFICER,
        actor=Actor.user(officer.id),
        now=now_utc(),
    )
    db_session.add_all(
        [
            AnswerLetter(
                request_id=req.id,
                outcome=Outcome.FULFILLED,
                body="Verzonden brief <b>",
                language="nl",
                created_at=now_utc(),
                updated_at=now_utc(),
                sent_at=now_utc(),
            ),
            AnswerLetter(
                request_id=req.id,
                outcome=Outcome.FULFILLED,
                body="Concept nog niet verstuurd",
                language="nl",
                created_at=now_utc(),
                updated_at=now_utc(),
            ),
        ]
    )
    db_session.commit()
    html = client.get(_status(app, req)).get_data(as_text=True)
    assert req.reference in html
    assert "Ontvangen; wij beginnen er snel aan" in html
    assert "Wij zoeken uit welke organisatie uw gegevens heeft." in html
    assert "Wij hebben uw verzoek ontvangen." in html  # history from the audit trail
    assert "Wij hebben u een bericht gestuurd." in html
    assert "Welke klantnummers hebt u?" in html
    assert "Verzonden brief &lt;b&gt;" in html
    assert "Concept nog niet verstuurd" not in html
    assert 'type="file"' not in html  # no document asked for
    from flask_babel import format_date

    with app.test_request_context():
        assert format_date(req.due, "EEE d MMM yyyy") in html


def test_answer_resumes_the_clock_and_moves_the_due_date_by_the_paused_days(
    app, client, db_session, make_request, officer, policy
):
    """docs/legal.md, "Pausing the clock": asked on day A, answered on day B -> paused =
    (B - A) - 1 days, added to the nominal end date before rolling forward."""
    req = _open_request(make_request, days_ago=10)
    asked_at = req.received_at + timedelta(days=1)
    suspend(
        db_session,
        req,
        "clarification",
        "Welke periode bedoelt u?",
        actor=Actor.user(officer.id),
        now=asked_at,
        policy=policy,
    )
    db_session.commit()
    due_before = req.due
    path = _status(app, req)
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert "Wij wachten op uw antwoord op onze vraag" in html
    assert "De tijd staat stil" in html
    # S-4: while the question is open, the page shows the date as if answered today.
    from flask_babel import format_date

    from rights.deadlines import projected_deadlines

    projected = projected_deadlines(
        req.received_at, [], local_date(asked_at), local_date(now_utc()), policy.calendar
    ).due
    assert projected > due_before
    with app.test_request_context():
        assert format_date(projected, "EEE d MMM yyyy") in html
    resp = client.post(
        path + "/reply",
        data={"csrf_token": csrf_token(page), "body": "Heel 2025."},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    db_session.refresh(req)
    answered = local_date(req.suspensions[0].answered_at)
    expected_paused = max(0, (answered - local_date(asked_at)).days - 1)
    assert expected_paused == 8
    assert req.paused_days == expected_paused
    expected = compute_deadlines(
        req.received_at, [(local_date(asked_at), answered)], policy.calendar
    )
    assert req.due == expected.due
    assert req.due > due_before
    assert req.target_due == due_before
    assert req.state is RequestState.OPEN
    message = db_session.scalars(select(Message).where(Message.sender == Party.SUBJECT)).one()
    assert message.body == "Heel 2025."
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.request_id == req.id)
    ).all()
    assert "request.resumed" in actions
    assert "U hebt geantwoord." in client.get(path).get_data(as_text=True)


def test_id_upload_only_when_asked_with_masking_advice_and_stored_encrypted(
    app, client, db_session, make_request, officer, policy
):
    req = _open_request(make_request, days_ago=2)
    path = _status(app, req)
    page = client.get(path)
    png = b"\x89PNG\r\n\x1a\n masked passport copy"
    refused = client.post(
        path + "/reply",
        data={
            "csrf_token": csrf_token(page),
            "body": "Hier",
            "document": (io.BytesIO(png), "id.png"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "alleen een document meesturen als wij daarom vragen" in refused.get_data(as_text=True)
    assert db_session.scalars(select(Document)).all() == []
    actor = Actor.user(officer.id)
    suspend(
        db_session,
        req,
        "identity",
        "Stuur een afgeschermde kopie",
        actor=actor,
        now=now_utc(),
        policy=policy,
    )
    post_message(
        db_session,
        req,
        "Stuur een afgeschermde kopie van uw ID.",
        sender=Party.OFFICER,
        actor=actor,
        now=now_utc(),
        asks_document=True,
    )
    db_session.commit()
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert 'type="file"' in html
    for advice in ("BSN", "pasfoto", "MRZ", "KopieID"):
        assert advice in html
    assert html.index("KopieID") < html.index('type="file"')
    wrong = client.post(
        path + "/reply",
        data={
            "csrf_token": csrf_token(page),
            "body": "Hier",
            "document": (io.BytesIO(b"GIF89a"), "id.gif"),
        },
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422
    ok = client.post(
        path + "/reply",
        data={
            "csrf_token": csrf_token(page),
            "body": "Hier is mijn kopie.",
            "document": (io.BytesIO(png), "paspoort.png"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    doc = db_session.scalars(select(Document)).one()
    assert doc.kind is DocumentKind.ID_DOCUMENT and doc.uploaded_by is Party.SUBJECT
    from portal.storage import document_store
    from rights.documents import delete_id_documents

    store = document_store(app)
    assert png not in store.path(doc.storage_key).read_bytes()
    db_session.refresh(req)
    assert req.state is RequestState.OPEN
    # The officer records the check: the copy goes (another issue's action, shared code).
    delete_id_documents(db_session, store, req, actor=actor, now=now_utc())
    db_session.commit()
    assert not store.path(doc.storage_key).exists()
    assert 'type="file"' not in client.get(path).get_data(as_text=True)


def test_oversize_answer_upload_is_413(app, client, db_session, make_request, officer, policy):
    req = _open_request(make_request, days_ago=2)
    post_message(
        db_session,
        req,
        "Stuur bewijs.",
        sender=Party.OFFICER,
        actor=Actor.user(officer.id),
        now=now_utc(),
        asks_document=True,
    )
    db_session.commit()
    app.config["UPLOAD_MAX_BYTES"] = 100
    path = _status(app, req)
    page = client.get(path)
    resp = client.post(
        path + "/reply",
        data={
            "csrf_token": csrf_token(page),
            "body": "x",
            "document": (io.BytesIO(b"%PDF-" + b"1" * 200), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413


def test_withdraw_asks_first_then_withdraws_on_post(app, client, db_session, make_request):
    req = _open_request(make_request)
    path = _status(app, req)
    confirm = client.get(path + "/withdraw")
    assert confirm.status_code == 200
    db_session.refresh(req)
    assert req.state is RequestState.OPEN
    assert client.post(path + "/withdraw", data={}).status_code == 400
    resp = client.post(path + "/withdraw", data={"csrf_token": csrf_token(confirm)})
    assert resp.status_code == 302
    db_session.refresh(req)
    assert req.state is RequestState.WITHDRAWN
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.request_id == req.id)).all()
    assert any(e.action == "request.withdrawn" and e.actor_kind == "subject" for e in events)
    html = client.get(path).get_data(as_text=True)
    assert "Door u ingetrokken" in html and "Dit verzoek intrekken" not in html
    again = client.post(path + "/withdraw", data={"csrf_token": csrf_token(confirm)})
    assert again.status_code == 409


def test_unverified_requests_close_after_the_configured_days(app, db_session, make_request, policy):
    from portal.worker import run_once

    now = now_utc()
    old = make_request(received_at=now - timedelta(days=15), now=now - timedelta(days=15))
    young = make_request(received_at=now - timedelta(days=13), now=now - timedelta(days=13))
    staff = make_request(
        received_at=now - timedelta(days=20), now=now - timedelta(days=20), channel=Channel.POST
    )
    assert old.state is RequestState.AWAITING_VERIFICATION
    result = run_once(app)
    assert result.jobs == 1
    for r in (old, young, staff):
        db_session.refresh(r)
    assert old.state is RequestState.CLOSED_UNVERIFIED and old.closed_at is not None
    assert young.state is RequestState.AWAITING_VERIFICATION
    assert staff.state is RequestState.OPEN
    mail = db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "closed_unverified")
    ).one()
    assert mail.request_id == old.id
    assert run_once(app).jobs == 0


def test_auto_close_command(app, db_session, make_request):
    now = now_utc()
    old = make_request(received_at=now - timedelta(days=30), now=now - timedelta(days=30))
    app.config["UNVERIFIED_AUTO_CLOSE_DAYS"] = 40
    runner = app.test_cli_runner()
    assert "closed 0" in runner.invoke(args=["close-unverified"]).output
    app.config["UNVERIFIED_AUTO_CLOSE_DAYS"] = 14
    assert "closed 1" in runner.invoke(args=["close-unverified"]).output
    db_session.refresh(old)
    assert old.state is RequestState.CLOSED_UNVERIFIED


def test_lost_link_mail_opens_the_status_page(app, client, db_session, make_request):
    from tests.public.flow import outbox_links

    req = make_request()
    page = client.get("/lost-link")
    client.post("/lost-link", data={"csrf_token": csrf_token(page), "email": "eva@example.nl"})
    status = client.get(outbox_links(app, db_session, "status_link")["status"])
    assert status.status_code == 200 and req.reference in status.get_data(as_text=True)


def test_the_message_field_says_answer_only_when_a_question_was_asked(
    app, client, db_session, make_request, officer, policy
):
    """Issue 14: "Uw antwoord" only answers a question; otherwise it is a message."""
    req = _open_request(make_request)
    db_session.commit()
    path = _status(app, req)
    html = client.get(path).get_data(as_text=True)
    assert "Uw bericht" in html and "Uw antwoord" not in html
    suspend(
        db_session, req, "clarification", "Welke periode bedoelt u?",
        actor=Actor.user(officer.id), now=now_utc(), policy=policy,
    )  # fmt: skip
    db_session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "Uw antwoord" in html and "Uw bericht" not in html
