"""The legal rules of the answer through the real app (docs/legal.md): what the officer can
and cannot send, and what the letters and mails say, in Dutch and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.mail import render
from portal.public.history import history
from rights import requests as ops
from rights.answers import REMEDY_NOTICE_EN, REMEDY_NOTICE_NL
from rights.audit import SYSTEM
from rights.models.case import AnswerLetter
from rights.models.mail import OutboxMail
from rights.models.request import Channel, IdentityStatus, RequestState, RightsRequest
from rights.righttypes import ObjectionDetails, WithdrawConsentDetails
from rights.unanswered import close_unanswered_identity
from tests.helpers import csrf_token
from tests.workspace.conftest import version_of


def _send(client, reference):
    page = client.get(f"/staff/requests/{reference}/letter")
    body = page.get_data(as_text=True)
    text = body.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    import html

    return client.post(
        f"/staff/requests/{reference}/letter",
        data={
            "csrf_token": csrf_token(page),
            "version": version_of(page),
            "body": html.unescape(text),
            "action": "send",
            "confirm": "yes",
        },
    )


def _letter(db_session, r):
    db_session.expire_all()
    return db_session.scalar(select(AnswerLetter.body).where(AnswerLetter.request_id == r.id))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_direct_marketing_objection_cannot_be_refused_in_the_workspace(
    client, officer, make_request, act, db_session, language
):
    r = make_request(
        ObjectionDetails(basis="direct_marketing"),
        received_at=datetime.now(UTC) - timedelta(days=1),
        channel=Channel.EMAIL,
        language=language,
    )
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert 'name="grounds"' not in page  # nothing to choose
    resp = act(r.reference, "answer", outcome="refused", grounds=["art_21_1_compelling"],
               reasons="Wij willen u blijven mailen.", basis="legitimate_interests")  # fmt: skip
    assert resp.status_code == 422
    assert "art. 21 lid 3" in resp.get_data(as_text=True)  # the workspace speaks Dutch
    assert act(r.reference, "answer", outcome="fulfilled", reasons="").status_code == 303
    assert _send(client, r.reference).status_code == 303
    body = _letter(db_session, r)
    assert ("artikel 21 lid 3" in body) if language == "nl" else ("Article 21(3)" in body)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_withdrawal_letter_explains_the_other_basis_and_the_erasure(
    client, officer, make_request, act, db_session, language
):
    r = make_request(
        WithdrawConsentDetails(which_consent="nieuwsbrief"),
        received_at=datetime.now(UTC) - timedelta(days=1),
        channel=Channel.EMAIL,
        language=language,
    )
    assert act(r.reference, "answer", outcome="refused", grounds=["art_12_5"],
               reasons="Nee.").status_code == 422  # fmt: skip
    resp = act(r.reference, "answer", outcome="fulfilled", basis="legal_obligation",
               reasons="Facturen: 7 jaar.")  # fmt: skip
    assert resp.status_code == 303
    assert _send(client, r.reference).status_code == 303
    body = _letter(db_session, r)
    assert "Facturen: 7 jaar." in body
    if language == "nl":
        assert "artikel 7 lid 3" in body and "artikel 17 lid 1 sub b" in body
    else:
        assert "Article 7(3)" in body and "Article 17(1)(b)" in body
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert "follow-up" in page
    token_page = client.get(f"/staff/requests/{r.reference}")
    resp = client.post(
        f"/staff/requests/{r.reference}/follow-up",
        data={"csrf_token": csrf_token(token_page), "version": version_of(token_page)},
    )
    assert resp.status_code == 303
    new = db_session.scalar(
        select(RightsRequest).where(RightsRequest.right == "erasure", RightsRequest.id != r.id)
    )
    assert new is not None and new.details["ground"] == "b"
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert f">{new.reference}</a>" in page and 'id="follow-up"' not in page  # linked, once


def test_the_partial_erasure_letter_carries_the_complaint_text_in_nl_and_en(
    client, officer, make_request, act, db_session
):
    from rights.models.source import ActionKind, ActionStatus, SourceAction
    from rights.righttypes import ErasureDetails

    r = make_request(ErasureDetails(), received_at=datetime.now(UTC) - timedelta(days=1),
                     channel=Channel.EMAIL)  # fmt: skip
    now = datetime.now(UTC)
    db_session.add(
        SourceAction(
            request_id=r.id,
            kind=ActionKind.ERASE,
            status=ActionStatus.EXECUTED,
            result={"executed": [], "kept": [{"table": "factuur", "columns": ["bedrag"],
                                              "ground": "art. 52 AWR", "period": "7 jaar"}]},
            prepared_at=now,
            executed_at=now,
        )
    )  # fmt: skip
    db_session.commit()
    assert act(r.reference, "answer", outcome="fulfilled", reasons="").status_code == 303
    assert _send(client, r.reference).status_code == 303
    body = _letter(db_session, r)
    # Table and column by a readable form of their names (no labels in this definition).
    assert "- Factuur. Wij bewaren: Bedrag." in body and "factuur" not in body
    assert REMEDY_NOTICE_NL in body and REMEDY_NOTICE_EN in body


def _suspend(db_session, r, policy, *, when, reason="identity"):
    ops.suspend(db_session, r, reason, "Stuur een kopie.", actor=SYSTEM, now=when, policy=policy)
    db_session.commit()


def _mail(app, db_session, r, template):
    mail = db_session.scalars(
        select(OutboxMail).where(OutboxMail.request_id == r.id, OutboxMail.template == template)
    ).one()
    with app.app_context():
        return render(db_session, mail).get_body().get_content()


def test_the_information_mail_says_the_clock_is_paused_only_when_it_is(
    app, db_session, make_request, policy
):
    received = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday
    early = make_request(received_at=received, channel=Channel.EMAIL, language="en")
    _suspend(db_session, early, policy, when=received + timedelta(days=1))
    late = make_request(received_at=received, channel=Channel.EMAIL, language="en")
    _suspend(db_session, late, policy, when=received + timedelta(days=20))
    assert "is paused" in _mail(app, db_session, early, "information_requested")
    text = _mail(app, db_session, late, "information_requested")
    assert "is paused" not in text and "keeps running" in text
    with app.test_request_context(), force_locale("en"):
        assert any("is paused" in step.text for step in history(db_session, early))
        steps = [step.text for step in history(db_session, late)]
        assert not any("is paused" in t for t in steps)
        assert any("keeps running" in t for t in steps)


def test_an_unanswered_identity_question_closes_the_request_with_the_complaint_text(
    app, db_session, make_request, policy
):
    received = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    asked = received + timedelta(days=1)
    r = make_request(received_at=received, channel=Channel.EMAIL, language="nl")
    _suspend(db_session, r, policy, when=asked)
    clarification = make_request(received_at=received, channel=Channel.EMAIL)
    _suspend(db_session, clarification, policy, when=asked, reason="clarification")
    days = policy.identity_answer_days
    assert close_unanswered_identity(db_session, now=asked + timedelta(days=days - 1),
                                     policy=policy) == 0  # fmt: skip
    assert close_unanswered_identity(db_session, now=asked + timedelta(days=days + 1),
                                     policy=policy) == 1  # fmt: skip
    db_session.commit()
    assert r.state is RequestState.CLOSED_UNVERIFIED
    assert r.identity_status is IdentityStatus.FAILED
    assert clarification.state is RequestState.AWAITING_INFORMATION
    text = _mail(app, db_session, r, "identity_unanswered")
    assert "Autoriteit Persoonsgegevens" in text and "rechtbank" in text
    with app.test_request_context(), force_locale("en"):
        steps = [step.text for step in history(db_session, r)]
    assert any("did not receive the information to confirm who you are" in t for t in steps)
