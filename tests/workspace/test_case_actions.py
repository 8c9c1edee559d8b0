"""Case actions through the real app: extension window (docs/legal.md, "Extension
(Art. 12(3))", E01/E02), stale saves, refusal letters, identity, validation, reopen,
split and merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import portal.staff.case as case_views
from rights.answers import REMEDY_NOTICE_EN, REMEDY_NOTICE_NL
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter, Document, DocumentKind, Party
from rights.models.casework import CaseLink, CaseNote, IdentityCheck
from rights.models.mail import OutboxMail
from rights.models.request import Channel, IdentityStatus, RequestState, RightsRequest
from rights.righttypes import (
    AccessDetails,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
    RestrictionDetails,
    RightType,
)
from tests.glossary import assert_in_words
from tests.helpers import csrf_token
from tests.workspace.conftest import version_of

RECEIVED_2027_01_31 = datetime(2027, 1, 31, 11, 0, tzinfo=UTC)  # Sun; due Mon 2027-03-01


def freeze(monkeypatch, instant):
    """Only the case views see ``instant`` (the officer's login session keeps real time)."""
    monkeypatch.setattr(case_views, "clock", SimpleNamespace(now=lambda: instant))


def test_e01_extension_on_the_last_day_is_allowed(
    client, officer, make_request, act, monkeypatch, db_session
):
    r = make_request(received_at=RECEIVED_2027_01_31, channel=Channel.EMAIL)
    assert r.due.isoformat() == "2027-03-01"
    freeze(monkeypatch, datetime(2027, 3, 1, 20, 0, tzinfo=UTC))  # 21:00 Amsterdam
    resp = act(
        r.reference, "extend", ground="complexity", justification="Drie systemen.", confirm="yes"
    )
    assert resp.status_code == 303
    db_session.expire_all()
    assert r.extended and r.extended_due.isoformat() == "2027-04-28"
    mail = db_session.scalar(
        select(OutboxMail).where(
            OutboxMail.request_id == r.id, OutboxMail.template == "extension_notice"
        )
    )
    assert mail is not None and mail.language == "nl"


def test_e02_extension_after_due_end_is_refused(
    client, officer, make_request, act, monkeypatch, db_session
):
    r = make_request(received_at=RECEIVED_2027_01_31, channel=Channel.EMAIL)
    freeze(monkeypatch, datetime(2027, 3, 1, 23, 30, tzinfo=UTC))  # 00:30 on 2 March
    resp = act(
        r.reference, "extend", ground="complexity", justification="Drie systemen.", confirm="yes"
    )
    assert resp.status_code == 409
    assert "verlengen kan niet meer (art. 12 lid 3 AVG)" in resp.get_data(as_text=True)
    db_session.expire_all()
    assert not r.extended and r.due.isoformat() == "2027-03-01"
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert (
        "Verlengen kan niet meer" in page
        and 'action="/staff/requests/' + r.reference + '/extend"' not in page
    )
    assert db_session.scalar(select(OutboxMail.id).where(OutboxMail.request_id == r.id)) is None


def test_second_extension_refused_and_confirmation_required(
    client, officer, make_request, act, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    resp = act(r.reference, "extend", ground="complexity", justification="x")
    assert resp.status_code == 422 and "Vink het vakje aan" in resp.get_data(as_text=True)
    assert (
        act(
            r.reference, "extend", ground="complexity", justification="x", confirm="yes"
        ).status_code
        == 303
    )
    assert (
        act(
            r.reference, "extend", ground="complexity", justification="x", confirm="yes"
        ).status_code
        == 409
    )


def test_stale_save_gets_409_and_changes_nothing(
    client, officer, make_request, make_user, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    page = client.get(f"/staff/requests/{r.reference}")
    token, stale = csrf_token(page), version_of(page)
    # Someone else saves first.
    first = client.post(
        f"/staff/requests/{r.reference}/assign",
        data={"csrf_token": token, "version": stale, "assignee": str(officer.id)},
    )
    assert first.status_code == 303
    other = make_user(name="Tom Tweede")
    second = client.post(
        f"/staff/requests/{r.reference}/assign",
        data={"csrf_token": token, "version": stale, "assignee": str(other.id)},
    )
    assert second.status_code == 409
    db_session.expire_all()
    assert r.assignee_id == officer.id


# Every right that can be refused (docs/legal.md: an objection to direct marketing and a
# withdrawal of consent cannot), with details, a ground and a basis that fit.
REFUSABLE = {
    RightType.ACCESS: (AccessDetails(), "art_15_4", ""),
    RightType.RECTIFICATION: (RectificationDetails(), "art_16_accurate", ""),
    RightType.ERASURE: (ErasureDetails(), "art_17_3_e", ""),
    RightType.RESTRICTION: (RestrictionDetails(), "art_18_1_no_condition", ""),
    RightType.PORTABILITY: (PortabilityDetails(), "art_20_4", "consent"),
    RightType.OBJECTION: (
        ObjectionDetails(basis="particular_situation", situation="Ik word gevolgd."),
        "art_21_1_compelling",
        "legitimate_interests",
    ),
}


@pytest.mark.parametrize("right", list(REFUSABLE))
def test_every_refusal_letter_has_complaint_and_court_in_both_languages(
    client, officer, make_request, act, db_session, right
):
    for outcome in ("partially_fulfilled", "refused"):
        for language in ("nl", "en"):
            details, ground, basis = REFUSABLE[right]
            r = make_request(
                details,
                received_at=datetime.now(UTC) - timedelta(days=1),
                channel=Channel.EMAIL,
                language=language,
            )
            resp = act(
                r.reference,
                "answer",
                outcome=outcome,
                grounds=[ground],
                reasons="Redenen.",
                basis=basis,
            )
            assert resp.status_code == 303
            page = client.get(f"/staff/requests/{r.reference}/letter")
            # The officer removes everything: the notice is still added on sending.
            resp = client.post(
                f"/staff/requests/{r.reference}/letter",
                data={
                    "csrf_token": csrf_token(page),
                    "version": version_of(page),
                    "body": "Kort.",
                    "action": "send",
                    "confirm": "yes",
                },
            )
            assert resp.status_code == 303
            body = db_session.scalar(
                select(AnswerLetter.body).where(AnswerLetter.request_id == r.id)
            )
            assert body.startswith("Kort.")
            for text in (REMEDY_NOTICE_NL, REMEDY_NOTICE_EN):
                assert text in body
    assert "Autoriteit Persoonsgegevens" in REMEDY_NOTICE_EN and "rechtbank" in REMEDY_NOTICE_NL
    assert "court" in REMEDY_NOTICE_EN and "Postbus 93374" in REMEDY_NOTICE_NL


def test_manifestly_unfounded_needs_reasons_and_leads_to_refusal_letter(
    client, officer, make_request, act, db_session
):
    r = make_request(
        received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL, language="en"
    )
    resp = act(
        r.reference,
        "answer",
        outcome="refused",
        grounds=["art_12_5"],
        manifestly="unfounded",
        reasons="",
    )
    assert resp.status_code == 422
    resp = act(
        r.reference,
        "answer",
        outcome="partially_fulfilled",
        grounds=["art_12_5"],
        manifestly="excessive",
        reasons="x",
    )
    assert resp.status_code == 422
    resp = act(
        r.reference,
        "answer",
        outcome="refused",
        grounds=["art_12_5"],
        manifestly="unfounded",
        reasons="Offered to withdraw for money.",
    )
    assert resp.status_code == 303
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    assert "manifestly unfounded" in letter.body and letter.extra == {"manifestly": "unfounded"}


def test_grounds_must_match_the_right(client, officer, make_request, act, db_session):
    r = make_request(
        received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL
    )  # access
    resp = act(r.reference, "answer", outcome="refused", grounds=["art_17_3_e"], reasons="x")
    assert resp.status_code == 422
    assert db_session.scalar(select(AnswerLetter.id).where(AnswerLetter.request_id == r.id)) is None
    resp = act(r.reference, "answer", outcome="refused", grounds=[], reasons="x")
    assert resp.status_code == 422


def test_identity_verified_deletes_id_documents(
    app, client, officer, make_request, act, db_session
):
    from portal.storage import document_store
    from rights.audit import Actor
    from rights.documents import store_document

    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    with app.app_context():
        store = document_store(app)
        doc = store_document(
            db_session,
            store,
            r,
            b"%PDF-1.4 id copy",
            filename="id.pdf",
            kind=DocumentKind.ID_DOCUMENT,
            uploaded_by=Party.SUBJECT,
            actor=Actor.subject(),
            now=datetime.now(UTC),
        )
    db_session.commit()
    url = f"/staff/requests/{r.reference}/documents/{doc.id}"
    got = client.get(url)
    assert got.status_code == 200 and got.data == b"%PDF-1.4 id copy"
    assert (
        "attachment" in got.headers["Content-Disposition"]
        and got.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert client.get(f"/staff/requests/{r.reference}/documents/{doc.id + 999}").status_code == 404
    assert act(r.reference, "identity", method="id_document", note="masked copy").status_code == 422
    assert (
        act(
            r.reference, "identity", method="id_document", note="masked copy", confirm="yes"
        ).status_code
        == 303
    )
    db_session.expire_all()
    assert r.identity_status is IdentityStatus.VERIFIED
    assert db_session.get(Document, doc.id).deleted_at is not None
    assert client.get(url).status_code == 410
    check = db_session.scalar(select(IdentityCheck).where(IdentityCheck.request_id == r.id))
    assert check.method == "id_document" and check.checked_by_id == officer.id


def test_withdraw_and_reopen_within_window(
    client, officer, make_request, act, monkeypatch, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    assert act(r.reference, "withdraw", note="Belde op", confirm="yes").status_code == 303
    db_session.expire_all()
    assert r.state is RequestState.WITHDRAWN and r.queue_due is None
    freeze(monkeypatch, datetime.now(UTC) + timedelta(days=31))
    assert act(r.reference, "reopen", note="Toch niet").status_code == 409
    freeze(monkeypatch, datetime.now(UTC) + timedelta(days=29))
    assert act(r.reference, "reopen", note="Toch niet").status_code == 303
    db_session.expire_all()
    assert r.state is RequestState.OPEN and r.queue_due == r.due


def test_split_and_merge(client, officer, make_request, make_org, act, db_session):
    a, b, c = make_org(name="A"), make_org(name="B"), make_org(name="C")
    r = make_request(
        ErasureDetails(ground="a"),
        received_at=datetime.now(UTC) - timedelta(days=2),
        channel=Channel.EMAIL,
    )
    assert (
        act(
            r.reference, "split", organisations=[str(a.id), str(b.id), str(c.id)], confirm="yes"
        ).status_code
        == 303
    )
    db_session.expire_all()
    group = db_session.scalars(
        select(RightsRequest)
        .where(RightsRequest.group_reference == r.reference)
        .order_by(RightsRequest.id)
    ).all()
    assert [g.organisation_id for g in group] == [a.id, b.id, c.id]
    assert {g.due for g in group} == {r.due} and {g.received_at for g in group} == {r.received_at}
    dup = group[2]
    resp = act(dup.reference, "merge", primary=r.reference, confirm="yes")
    assert resp.status_code == 303
    db_session.expire_all()
    assert dup.state is RequestState.WITHDRAWN
    kinds = db_session.scalars(
        select(CaseLink.kind).where(CaseLink.request_id == dup.id, CaseLink.other_id == r.id)
    ).all()
    assert sorted(kinds) == ["duplicate", "split"]
    # In words on both case pages, with the other request's reference (issue 14).
    page = client.get(f"/staff/requests/{dup.reference}").get_data(as_text=True)
    assert f'Dit verzoek is samengevoegd met: <a href="/staff/requests/{r.reference}"' in page
    assert "Samengevoegd als dubbel verzoek" in page  # the note's kind
    # The note is data (kind + the other reference), said in the reader's language.
    note = db_session.scalars(select(CaseNote).where(CaseNote.request_id == dup.id)).one()
    assert note.kind == "merged" and note.body == r.reference
    said = f"Gesloten als dubbel verzoek; de behandeling loopt via {r.reference}."
    assert said in page and "merged into" not in page
    # A note written before, in English by the domain, reads in words too.
    note.body = f"merged into {r.reference}"
    db_session.commit()
    page = client.get(f"/staff/requests/{dup.reference}").get_data(as_text=True)
    assert said in page and "merged into" not in page
    client.get("/lang/en")
    page = client.get(f"/staff/requests/{dup.reference}").get_data(as_text=True)
    assert f"Closed as a duplicate of {r.reference}." in page
    client.get("/lang/nl")
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert "Als dubbel verzoek samengevoegd met dit verzoek" in page
    assert_in_words(page, "nl", where="case page", ignore=[r.requester_name, "A", "B", "C"])


def test_message_from_officer_mail_has_no_content(client, officer, make_request, act, db_session):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    assert act(r.reference, "message", body="Geheime inhoud 123").status_code == 303
    mail = db_session.scalar(select(OutboxMail).where(OutboxMail.request_id == r.id))
    assert mail.template == "message_waiting" and "Geheime" not in str(mail.context)


def test_case_page_is_audited_and_staff_only(
    client, make_user, make_org, login, make_request, db_session
):
    from rights.models.org import Role

    r = make_request(channel=Channel.EMAIL)
    assert client.get(f"/staff/requests/{r.reference}").status_code == 302  # anonymous -> login
    controller = make_user(Role.CONTROLLER, organisation=make_org())
    login(controller)
    assert client.get(f"/staff/requests/{r.reference}").status_code == 404
    assert (
        db_session.scalar(select(AuditEvent.id).where(AuditEvent.action == "case.viewed")) is None
    )


def test_send_without_confirmation_keeps_the_edited_letter(
    client, officer, make_request, act, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    assert act(r.reference, "answer", outcome="fulfilled", reasons="").status_code == 303
    page = client.get(f"/staff/requests/{r.reference}/letter")
    resp = client.post(
        f"/staff/requests/{r.reference}/letter",
        data={
            "csrf_token": csrf_token(page),
            "version": version_of(page),
            "body": "Mijn versie",
            "action": "send",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Mijn versie" in html and "Vink het vakje aan" in html
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    db_session.refresh(letter)
    assert letter.sent_at is None and letter.body != "Mijn versie"


def _send(client, reference, body=None):
    page = client.get(f"/staff/requests/{reference}/letter")
    html = page.get_data(as_text=True)
    import html as html_lib
    import re

    current = html_lib.unescape(
        re.search(r'name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    )
    return client.post(
        f"/staff/requests/{reference}/letter",
        data={
            "csrf_token": csrf_token(page),
            "version": version_of(page),
            "body": body or current,
            "action": "send",
            "confirm": "yes",
        },
    )


def test_four_eyes_for_a_manifestly_excessive_refusal(
    client, officer, make_user, login, make_request, act, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    resp = act(
        r.reference,
        "answer",
        outcome="refused",
        grounds=["art_12_5"],
        manifestly="excessive",
        reasons="Vijfde keer deze week.",
    )
    assert resp.status_code == 303
    assert _send(client, r.reference).status_code == 409  # nobody approved yet
    page = client.get(f"/staff/requests/{r.reference}/letter")
    assert "You cannot approve your own letter" in page.get_data(
        as_text=True
    ) or "niet zelf goedkeuren" in page.get_data(as_text=True)
    own = client.post(
        f"/staff/requests/{r.reference}/letter/approve",
        data={"csrf_token": csrf_token(page), "version": version_of(page)},
    )
    assert own.status_code == 403
    second = make_user(name="Tom Tweede")
    login(second)
    page = client.get(f"/staff/requests/{r.reference}/letter")
    ok = client.post(
        f"/staff/requests/{r.reference}/letter/approve",
        data={"csrf_token": csrf_token(page), "version": version_of(page)},
    )
    assert ok.status_code == 303
    # Changing the text after approval withdraws it; sending the approved text works.
    page = client.get(f"/staff/requests/{r.reference}/letter")
    saved = client.post(
        f"/staff/requests/{r.reference}/letter",
        data={
            "csrf_token": csrf_token(page),
            "version": version_of(page),
            "body": "Iets anders.",
            "action": "save",
        },
    )
    assert saved.status_code == 303
    login(officer)
    assert _send(client, r.reference).status_code == 409
    login(second)
    page = client.get(f"/staff/requests/{r.reference}/letter")
    assert (
        client.post(
            f"/staff/requests/{r.reference}/letter/approve",
            data={"csrf_token": csrf_token(page), "version": version_of(page)},
        ).status_code
        == 303
    )
    login(officer)
    assert _send(client, r.reference).status_code == 303
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    db_session.refresh(letter)
    assert letter.sent_at is not None and letter.extra["approved_by"] == second.id
    assert REMEDY_NOTICE_NL in letter.body and REMEDY_NOTICE_EN in letter.body


def test_case_page_shows_deadlines_details_and_timeline_in_words(
    client, officer, make_request, act, db_session
):
    from rights.righttypes import RectificationDetails

    r = make_request(
        RectificationDetails(which_data="Adres", correct_value="Dorpsstraat 11"),
        received_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        channel=Channel.EMAIL,
        representative={"name": "Mr. Jansen", "relationship": "advocaat"},
    )
    html = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    for text in (
        "Welke gegevens",
        "Dorpsstraat 11",
        "Mr. Jansen",
        "advocaat",
        "niet vastgesteld",
        "Verzoek ontvangen",
        "Dossier geopend",
    ):
        assert text in html, text
    assert "do 2 apr 2026" in html or "2 apr 2026" in html  # due: 2 April 2026
