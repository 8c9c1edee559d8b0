"""The 'done when' of issue 6 with the demo data: the demo officer works a request from the
queue to a sent answer letter, including an extension, and the dashboard shows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from operations.context import Context
from operations.demo import DEMO_PASSWORD, load_demo
from rights.crypto import generate_key
from rights.keys import Keyring
from rights.models.case import AnswerLetter
from rights.models.org import User
from rights.models.request import RequestState, RightsRequest
from tests.helpers import csrf_token
from tests.workspace.conftest import version_of


def test_demo_officer_works_a_request_to_a_sent_letter(client, login, act, db_session, policy):
    keyring = Keyring.from_text(generate_key())
    load_demo(Context(db_session, keyring, policy=policy, clock=lambda: datetime.now(UTC)))
    db_session.commit()
    officer = db_session.scalar(select(User).where(User.email == "officer@demo.example"))
    login(officer, DEMO_PASSWORD)

    queue = client.get(f"/staff/?assignee={officer.id}").get_data(as_text=True)
    refs = re.findall(r'href="/staff/requests/([A-Z0-9-]+)"', queue)
    assert len(refs) == 1
    ref = refs[0]
    overdue = client.get("/staff/?overdue=1").get_data(as_text=True)
    assert "dagen te laat" in overdue

    assert (
        act(
            ref, "extend", ground="complexity", justification="Drie systemen.", confirm="yes"
        ).status_code
        == 303
    )
    assert act(ref, "answer", outcome="fulfilled", reasons="").status_code == 303
    page = client.get(f"/staff/requests/{ref}/letter")
    body = re.search(
        r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page.get_data(as_text=True), re.S
    )
    assert body and "Noor Bakker" in body.group(1)
    resp = client.post(
        f"/staff/requests/{ref}/letter",
        data={
            "csrf_token": csrf_token(page),
            "version": version_of(page),
            "body": "Beste Noor,\n\nKlaar.",
            "action": "send",
            "confirm": "yes",
        },
    )
    assert resp.status_code == 303
    r = db_session.scalar(select(RightsRequest).where(RightsRequest.reference == ref))
    db_session.refresh(r)
    assert r.state is RequestState.ANSWERED and r.extended
    assert (
        db_session.scalar(select(AnswerLetter.sent_at).where(AnswerLetter.request_id == r.id))
        is not None
    )
    dash = client.get("/staff/dashboard").get_data(as_text=True)
    assert "<svg" in dash and "Noor" not in dash
