"""The whole case life of each right through the real app (CSRF on): register a request
that arrived by mail, assign, ask the subject, record the answer, extend, answer with a
letter generated in the subject's language, edit it, send it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rights.answers import REMEDY_NOTICE_NL
from rights.deadlines import AMSTERDAM
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter, Message
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.righttypes import RIGHTS, RightType
from tests.helpers import csrf_token, release_test_package

CASES = [
    (RightType.ACCESS, "fulfilled", []),
    (RightType.RECTIFICATION, "refused", ["art_16_accurate"]),
    (RightType.ERASURE, "partially_fulfilled", ["art_17_3_b", "art_17_3_e"]),
    (RightType.RESTRICTION, "fulfilled", []),
    (RightType.PORTABILITY, "partially_fulfilled", ["art_20_4"]),
    # Registered without details, an objection is one to direct marketing: absolute
    # (Art. 21(3)), so it can only be fulfilled (docs/legal.md).
    (RightType.OBJECTION, "fulfilled", []),
    (RightType.WITHDRAW_CONSENT, "fulfilled", []),
]


def register(client, org, right, *, arrived: datetime, language="nl", email="kim@example.nl"):
    page = client.get("/staff/register")
    local = arrived.astimezone(AMSTERDAM)
    return client.post(
        "/staff/register",
        data={
            "csrf_token": csrf_token(page),
            "right": right.value,
            "organisation": str(org.id),
            "channel": "email",
            "received_date": local.date().isoformat(),
            "received_time": local.strftime("%H:%M"),
            "summary": "Alles wat u over mij heeft",
            "language": language,
            "name": "Kim de Wit",
            "email": email,
        },
    )


@pytest.mark.parametrize(("right", "outcome", "grounds"), CASES)
def test_whole_case_life(client, officer, make_org, act, db_session, right, outcome, grounds):
    org = make_org(OrganisationKind.OPERATOR, name="Bakkerij")  # the officers decide
    arrived = datetime.now(UTC) - timedelta(days=3)
    resp = register(
        client, org, right, arrived=arrived, language="en" if outcome == "refused" else "nl"
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    reference = resp.headers["Location"].rsplit("/", 1)[1]
    r = db_session.scalar(select(RightsRequest).where(RightsRequest.reference == reference))
    assert r.state is RequestState.OPEN
    # The clock runs from the original arrival, not from the moment of typing.
    assert r.received_at == arrived.replace(second=0, microsecond=0)

    assert act(reference, "assign", assignee=str(officer.id)).status_code == 303
    resp = act(
        reference, "identity", method="known_details", note="klantnummer klopt", confirm="yes"
    )
    assert resp.status_code == 303
    db_session.expire_all()
    assert r.identity_status.value == "verified"
    resp = act(reference, "ask", reason="clarification", question="Welke periode bedoelt u?")
    assert resp.status_code == 303
    db_session.expire_all()
    assert r.state is RequestState.AWAITING_INFORMATION
    assert db_session.scalar(select(Message.body).where(Message.request_id == r.id)) == (
        "Welke periode bedoelt u?"
    )
    assert act(reference, "answered").status_code == 303
    db_session.expire_all()
    assert r.state is RequestState.IN_PROGRESS

    if right is RightType.ERASURE:
        resp = act(
            reference, "extend", ground="complexity", justification="Drie systemen.", confirm="yes"
        )
        assert resp.status_code == 303
        db_session.expire_all()
        assert r.extended and r.queue_due == r.extended_due

    if right is RightType.ACCESS:
        release_test_package(db_session, r)  # docs/legal.md: no "fulfilled" access without a copy
    resp = act(
        reference,
        "answer",
        outcome=outcome,
        grounds=grounds,
        reasons="Wij bewaren uw factuur 7 jaar.",
        basis="consent" if right is RightType.PORTABILITY else "",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    letter_page = client.get(f"/staff/requests/{reference}/letter")
    html = letter_page.get_data(as_text=True)
    assert "Kim de Wit" in html
    assert RIGHTS[right].article in html
    form = {
        "csrf_token": csrf_token(letter_page),
        "version": __import__("tests.workspace.conftest", fromlist=["version_of"]).version_of(
            letter_page
        ),
        "body": "Edited by the officer.\n"
        + db_session.scalar(select(AnswerLetter.body).where(AnswerLetter.request_id == r.id)),
        "action": "send",
        "confirm": "yes",
    }
    resp = client.post(f"/staff/requests/{reference}/letter", data=form)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    db_session.expire_all()
    assert r.state is RequestState.ANSWERED
    assert r.outcome is Outcome(outcome)
    assert r.queue_due is None
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == r.id))
    assert letter.sent_at is not None and letter.body.startswith("Edited by the officer.")
    assert letter.grounds == grounds
    # Every letter names the Autoriteit Persoonsgegevens (what the subject can do next);
    # the Art. 12(4) complaint and court text comes with a refusal only.
    assert "Autoriteit Persoonsgegevens" in letter.body
    assert (REMEDY_NOTICE_NL in letter.body) == (outcome != "fulfilled")
    if outcome == "refused":  # English subject: letter in English
        assert "Dear Kim de Wit" in letter.body
    else:
        assert "Beste Kim de Wit" in letter.body or "Geachte Kim de Wit" in letter.body
    mails = db_session.scalars(
        select(OutboxMail.template).where(OutboxMail.request_id == r.id)
    ).all()
    assert "information_requested" in mails and "answer_sent" in mails
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.request_id == r.id)
    ).all()
    assert {"case.viewed", "request.assigned", "request.suspended", "answer.sent"} <= set(actions)
    # The case page shows the sent letter and a timeline in words.
    page = client.get(f"/staff/requests/{reference}").get_data(as_text=True)
    assert "Edited by the officer." in page


def test_registered_consent_withdrawal_stops_marketing_on_receipt(
    client, officer, make_org, db_session
):
    """docs/legal.md, "On receipt": a withdrawal that arrived by mail takes effect when the
    officer registers it, like one filed on the public site."""
    from rights.models.source import SuppressionEntry

    org = make_org(OrganisationKind.OPERATOR, name="Bakkerij")  # the officers decide
    resp = register(
        client, org, RightType.WITHDRAW_CONSENT, arrived=datetime.now(UTC) - timedelta(hours=2)
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    entries = db_session.scalars(
        select(SuppressionEntry).where(SuppressionEntry.organisation_id == org.id)
    ).all()
    assert entries and all("kim@example.nl" not in str(vars(e)) for e in entries)
