"""Case retention (docs/legal.md, "Case retention"): identity material goes when the check
is recorded or the case is finished, whichever is first; finished cases lose their personal
data after the retention period and keep their figures; the audit chain still verifies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rights import answers, casework, crypto, intake, retention
from rights import requests as ops
from rights.audit import SYSTEM, Actor, verify_chain
from rights.documents import DocumentStore, store_document
from rights.messages import post_message
from rights.models import AuditEvent, DocumentKind, OutboxMail, Party
from rights.models.case import AnswerLetter, Document, Message
from rights.models.casework import CaseNote
from rights.models.request import Channel, Outcome, RequestState, RightsRequest
from rights.righttypes import ErasureDetails, RectificationDetails

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + b"paspoort BSN 123456782 " * 20
DAYS = 730


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(root=tmp_path / "docs", key=crypto.parse_key(crypto.generate_key()))


@pytest.fixture
def officer(make_user):
    return Actor.user(make_user(name="Olga Officer").id)


def _upload(db_session, store, r, kind=DocumentKind.ID_DOCUMENT, *, now=NOW):
    return store_document(
        db_session, store, r, PDF, filename="paspoort.pdf", kind=kind,
        uploaded_by=Party.SUBJECT, actor=Actor.subject(), now=now,
    )  # fmt: skip


def _answer(db_session, r, officer, outcome, grounds, *, now):
    letter = answers.prepare_answer(
        db_session, r, outcome, grounds, "Wij konden u niet identificeren." if grounds else "",
        "Beste Eva de Boer,\n\nUw antwoord.", actor=officer, now=now,
    )  # fmt: skip
    answers.send_answer(db_session, r, letter, actor=officer, now=now)


def test_an_id_copy_is_gone_after_an_art_11_2_refusal(db_session, make_request, store, officer):
    r = make_request(RectificationDetails(), received_at=NOW, channel=Channel.EMAIL)
    doc = _upload(db_session, store, r)
    _answer(db_session, r, officer, Outcome.REFUSED, ["art_11_2"], now=NOW + timedelta(days=2))
    assert r.state is RequestState.ANSWERED
    deleted = retention.delete_finished_case_documents(
        db_session, store, actor=SYSTEM, now=NOW + timedelta(days=2)
    )
    assert deleted == 1
    assert doc.deleted_at is not None and doc.deleted_reason == "case_finished"
    assert not store.path(doc.storage_key).exists()


def test_an_id_sent_in_answer_to_a_clarification_question_goes_with_the_identity_check(
    db_session, make_request, store, officer, policy
):
    r = make_request(RectificationDetails(), received_at=NOW, channel=Channel.EMAIL)
    asked = NOW + timedelta(hours=2)
    ops.suspend(db_session, r, "clarification", "Welk adres?", actor=officer, now=asked,
                policy=policy)  # fmt: skip
    post_message(db_session, r, "Stuur een bewijs.", sender=Party.OFFICER, actor=officer,
                 now=asked, asks_document=True)  # fmt: skip
    intake.answer(db_session, store, r, "Hier mijn paspoort.", now=asked + timedelta(hours=1),
                  policy=policy, upload=(PDF, "paspoort.pdf"))  # fmt: skip
    doc = db_session.scalar(select(Document).where(Document.request_id == r.id))
    assert doc.kind is DocumentKind.EVIDENCE and doc.deleted_at is None
    casework.record_identity(db_session, store, r, "id_document", "gezien", actor=officer,
                             now=asked + timedelta(hours=2))  # fmt: skip
    assert doc.deleted_at is not None
    assert not store.path(doc.storage_key).exists()


def _finished_case(db_session, make_request, store, officer, *, finished):
    r = make_request(
        ErasureDetails(ground="a", scope="specific", specific="mijn foto op de site"),
        received_at=finished - timedelta(days=10),
        channel=Channel.EMAIL,
        requester=ops.Requester(name="Eva de Boer", email="eva@example.nl", phone="0612345678"),
    )
    _upload(db_session, store, r, DocumentKind.EVIDENCE, now=finished - timedelta(days=9))
    post_message(db_session, r, "Welke foto bedoelt u, Eva?", sender=Party.OFFICER,
                 actor=officer, now=finished - timedelta(days=8))  # fmt: skip
    casework.record_identity(db_session, store, r, "email_link", "Eva bevestigde via mail",
                             actor=officer, now=finished - timedelta(days=7))  # fmt: skip
    _answer(db_session, r, officer, Outcome.FULFILLED, [], now=finished)
    db_session.commit()
    return r


def test_case_purge_on_a_frozen_clock_keeps_exactly_the_figures(
    db_session, make_request, store, officer
):
    finished = NOW + timedelta(days=20)
    r = _finished_case(db_session, make_request, store, officer, finished=finished)
    other = make_request(received_at=NOW, channel=Channel.EMAIL)  # still open: untouched
    figures = (r.reference, r.right, r.outcome, r.received_at, r.answered_at, r.due,
               r.organisation_id, r.extended)  # fmt: skip

    early = finished + timedelta(days=DAYS - 1)
    report = retention.purge_cases(db_session, store, actor=SYSTEM, now=early, days=DAYS)
    assert report.requests == 0

    late = finished + timedelta(days=DAYS + 1)
    dry = retention.purge_cases(db_session, store, actor=SYSTEM, now=late, days=DAYS,
                                dry_run=True)  # fmt: skip
    assert dry.requests == 1 and dry.messages >= 1 and dry.letters == 1 and dry.mails >= 1
    db_session.expire_all()
    assert r.requester_email == "eva@example.nl"  # a dry run changes nothing

    done = retention.purge_cases(db_session, store, actor=SYSTEM, now=late, days=DAYS)
    db_session.commit()
    assert done.as_dict() == dry.as_dict()
    db_session.expire_all()
    assert (r.reference, r.right, r.outcome, r.received_at, r.answered_at, r.due,
            r.organisation_id, r.extended) == figures  # fmt: skip
    assert (r.requester_name, r.requester_email, r.requester_phone) == ("", "", "")
    assert r.representative is None and r.details == {"ground": "a", "scope": "specific"}
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    assert letter.body == "" and letter.outcome is Outcome.FULFILLED and letter.sent_at
    for model in (Message, Document, CaseNote, OutboxMail):
        assert db_session.scalar(select(model.id).where(model.request_id == r.id)) is None
    assert other.requester_email == "eva@example.nl"
    # Events carry no personal data, so the chain still verifies after the purge.
    assert verify_chain(db_session).ok
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.request_id == r.id)).all()
    assert "case.purged" in [e.action for e in events]
    dump = json.dumps([e.data for e in events], default=str)
    for personal in ("Eva", "eva@example.nl", "0612345678", "foto", "paspoort"):
        assert personal not in dump
    # Nothing left to purge the next time.
    again = retention.purge_cases(db_session, store, actor=SYSTEM, now=late, days=DAYS)
    assert again.requests == 0


def test_cases_purge_command_dry_run_and_audit_verify(
    app, db_session, make_request, make_user, tmp_path
):
    from portal.storage import document_store

    officer = Actor.user(make_user(name="Olga Officer").id)
    with app.app_context():
        store = document_store(app)
    long_ago = datetime.now(UTC) - timedelta(days=DAYS + 30)
    r = _finished_case(db_session, make_request, store, officer, finished=long_ago)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["cases", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would purge 1 case(s)" in dry.output
    db_session.expire_all()
    assert db_session.get(RightsRequest, r.id).requester_email == "eva@example.nl"
    real = runner.invoke(args=["cases", "purge"])
    assert real.exit_code == 0, real.output
    assert "purged 1 case(s)" in real.output
    db_session.expire_all()
    assert db_session.get(RightsRequest, r.id).requester_email == ""
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_a_worker_pass_deletes_the_id_copies_of_finished_cases(
    app, db_session, make_request, make_user
):
    from portal.storage import document_store
    from portal.worker import JOBS, run_once

    assert {"finished_case_documents", "case_purge", "identity_unanswered"} <= set(JOBS)
    officer = Actor.user(make_user(name="Olga Officer").id)
    with app.app_context():
        store = document_store(app)
    r = make_request(RectificationDetails(), received_at=datetime.now(UTC) - timedelta(days=3),
                     channel=Channel.EMAIL)  # fmt: skip
    doc = _upload(db_session, store, r, now=datetime.now(UTC) - timedelta(days=2))
    _answer(db_session, r, officer, Outcome.REFUSED, ["art_11_2"], now=datetime.now(UTC))
    db_session.commit()
    run_once(app)
    db_session.expire_all()
    assert db_session.get(Document, doc.id).deleted_at is not None
