"""What the subject receives besides the status page (docs/legal.md, "What each letter
says"; docs/package.md, "Mails"): the letter as a PDF (previewed by the officer, downloaded
by the subject only through their own link, audited), the package-ready mail, and mails and
letters to a representative that address them and name the person they act for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.mail import render
from portal.public.views import status_token
from rights import packages
from rights.audit import Actor
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter
from rights.models.mail import OutboxMail
from rights.models.request import Channel
from rights.requests import Requester
from rights.righttypes import AccessDetails, RectificationDetails
from tests.helpers import ops_context
from tests.workspace.test_legal_answers import _send

REPRESENTATIVE = {
    "name": "Mr. A. Advocaat",
    "email": "advocaat@example.nl",
    "phone": "",
    "relationship": "lawyer",
    "subject_email": "",
}


def _request(make_request, language="en", **kw):
    return make_request(
        RectificationDetails(which_data="Adres", correct_value="Dorpsstraat 11"),
        received_at=datetime.now(UTC) - timedelta(days=2),
        channel=Channel.EMAIL,
        language=language,
        **kw,
    )


def _events(db_session, r, action):
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.request_id == r.id, AuditEvent.action == action)
        )
    )


def test_the_officer_previews_the_letter_as_pdf_and_the_subject_downloads_it(
    app, client, officer, make_request, act, db_session
):
    r = _request(make_request)
    other = _request(make_request)
    assert client.get(f"/staff/requests/{r.reference}/letter.pdf").status_code == 404  # no draft
    assert act(r.reference, "answer", outcome="fulfilled").status_code == 303
    case = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert f"/staff/requests/{r.reference}/letter.pdf" in case  # the preview link
    preview = client.get(f"/staff/requests/{r.reference}/letter.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.data.startswith(b"%PDF")
    assert len(_events(db_session, r, "answer.pdf_previewed")) == 1
    with app.test_request_context():
        token, other_token = status_token(r), status_token(other)
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    draft_url = f"/status/{token}/letters/{letter.id}.pdf"
    assert client.get(draft_url).status_code == 404  # a draft is not the subject's yet
    assert _send(client, r.reference).status_code == 303
    status = client.get(f"/status/{token}").get_data(as_text=True)
    assert f"/status/{token}/letters/{letter.id}.pdf" in status
    download = client.get(draft_url)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "no-store" in download.headers["Cache-Control"]
    events = _events(db_session, r, "answer.pdf_downloaded")
    assert [e.actor_kind for e in events] == ["subject"]
    # Another subject's link does not open this letter, nor does a broken link.
    assert client.get(f"/status/{other_token}/letters/{letter.id}.pdf").status_code == 404
    assert client.get(f"/status/x{token}/letters/{letter.id}.pdf").status_code == 404
    assert client.get(f"/status/{token}/letters/999999.pdf").status_code == 404


def test_the_pdf_holds_the_letter_text(app, client, officer, make_request, act, db_session):
    from pypdf import PdfReader

    r = _request(make_request, language="nl")
    act(r.reference, "answer", outcome="fulfilled")
    _send(client, r.reference)
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    with app.test_request_context():
        token = status_token(r)
    data = client.get(f"/status/{token}/letters/{letter.id}.pdf").data
    import io

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert r.reference in text and "Dorpsstraat 11" in text
    assert "Wij hebben gedaan wat u vroeg" not in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_mails_and_letters_to_a_representative_name_the_subject(
    app, client, officer, make_request, act, db_session, language
):
    r = _request(
        make_request,
        language=language,
        requester=Requester(name="Eva de Boer", email="advocaat@example.nl"),
        representative=REPRESENTATIVE,
    )
    act(r.reference, "answer", outcome="fulfilled")
    db_session.expire_all()
    body = db_session.scalar(select(AnswerLetter.body).where(AnswerLetter.request_id == r.id))
    dear = {"nl": "Beste", "en": "Dear"}[language]
    assert body.startswith(f"{dear} Mr. A. Advocaat,")
    assert "Eva de Boer" in body.split("\n\n")[1]
    _send(client, r.reference)
    for template in ("acknowledgement", "answer_sent"):
        mail = db_session.scalars(
            select(OutboxMail).where(OutboxMail.request_id == r.id, OutboxMail.template == template)
        ).first()
        if mail is None:
            continue
        with app.app_context():
            text = render(db_session, mail).get_body().get_content()
        assert text.startswith(f"{dear} Mr. A. Advocaat,"), text
        assert "Eva de Boer" in text and r.reference in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_subject_is_mailed_when_the_package_is_released(
    app, db_session, make_request, make_user, language
):
    r = make_request(
        AccessDetails(), requester=Requester(name="Eva de Boer", email="eva@example.nl"),
        language=language,
    )  # fmt: skip
    preparer, releaser = make_user(), make_user()
    from operations.packages import build_request_package, collect_export_package

    ctx = ops_context(app, db_session, actor=Actor.user(preparer.id))
    package = build_request_package(ctx, r, collect_export_package(ctx, r))
    db_session.commit()
    assert not db_session.scalars(
        select(OutboxMail).where(OutboxMail.template == "package_ready")
    ).all()
    packages.release_package(db_session, package, actor=Actor.user(releaser.id), now=ctx.now())
    db_session.commit()
    (mail,) = db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.request_id == r.id, OutboxMail.template == "package_ready"
        )
    )
    assert mail.to_addr == "eva@example.nl" and mail.context == {"package_id": package.id}
    with app.app_context():
        message = render(db_session, mail)
    text = message.get_body().get_content()
    link = {"nl": "Uw gegevens downloaden", "en": "Download your data"}[language]
    assert link in text and "/status/" in text and r.reference in text
    assert ("werkt tot" in text) if language == "nl" else ("works until" in text)
