"""Staff registration after the end of a controller's contract (Art. 28(3)(g);
docs/controllers.md, "End of contract"): we hold none of its data any more, so a request
for it is refused on the organisation field, in the officer's language, naming the
organisation and the day it ended, and nothing is stored. Another organisation still
registers. The rule lives in ``operations.intake``, so a caller without the form is
refused the same way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from operations.intake import IntakeError, register
from rights.audit import SYSTEM
from rights.models.audit import AuditEvent
from rights.models.request import RightsRequest
from rights.requests import Intake, Requester
from rights.righttypes import AccessDetails
from tests.glossary import assert_in_words
from tests.helpers import ops_context, post_registration

# 23:30 UTC on 4 March is 5 March in Amsterdam: the refusal names the local date.
ENDED_AT = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
WORDS = {
    "nl": ("Het contract met Bakkerij Zoet is beëindigd op 5 maart 2026", "rechtstreeks"),
    "en": ("The contract with Bakkerij Zoet ended on 5 March 2026", "directly"),
}


def _post(client, org):
    return post_registration(client, org)


def _stored(db_session) -> tuple[int, int]:
    requests = db_session.scalar(select(func.count(RightsRequest.id)))
    events = db_session.scalar(select(func.count(AuditEvent.id)))
    return requests, events


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_request_for_a_controller_whose_contract_ended_is_refused_in_words(
    client, officer, make_org, db_session, language
):
    ended = make_org(name="Bakkerij Zoet", contract_ended_at=ENDED_AT)
    db_session.commit()
    client.get(f"/lang/{language}")
    before = _stored(db_session)

    resp = _post(client, ended)

    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    error = re.search(r'<p class="error-message" id="organisation-error">(.*?)</p>', html, re.S)
    assert error, html[:2000]
    assert all(words in error.group(1) for words in WORDS[language])
    assert "contract_ended" not in html
    assert_in_words(html, language, where="/staff/register", ignore=("Bakkerij Zoet",))
    db_session.expire_all()
    assert _stored(db_session) == before  # no request, no audit event


def test_a_controller_whose_contract_runs_still_registers(client, officer, make_org, db_session):
    make_org(name="Bakkerij Zoet", contract_ended_at=ENDED_AT)
    running = make_org(name="Slagerij Vers")
    db_session.commit()
    page = client.get("/staff/register").get_data(as_text=True)
    assert "Bakkerij Zoet (contract beëindigd op 5 maart 2026)" in page  # the officer is told

    resp = _post(client, running)

    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    assert db_session.scalar(select(RightsRequest)).organisation_id == running.id


def test_the_operation_refuses_it_without_the_form(app, make_org, db_session):
    ended = make_org(name="Bakkerij Zoet", contract_ended_at=ENDED_AT)
    db_session.commit()
    ctx = ops_context(app, db_session, SYSTEM, now=ENDED_AT + timedelta(days=1))
    intake = Intake(
        right=AccessDetails().kind,
        details=AccessDetails(),
        requester=Requester(name="Mila de Boer", email="mila@example.nl"),
        received_at=ENDED_AT,
        organisation_id=ended.id,
    )
    with pytest.raises(IntakeError) as refused:
        register(ctx.in_language("en"), intake)
    assert refused.value.field == "organisation" and refused.value.code == "contract_ended"
    assert WORDS["en"][0] in refused.value.message
    db_session.rollback()
    assert db_session.scalar(select(func.count(RightsRequest.id))) == 0
