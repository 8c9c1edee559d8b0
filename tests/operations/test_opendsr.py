"""The OpenDSR use cases without HTTP (docs/api.md): a submission is a controller
instruction with the controller's receipt, idempotency per controller, two first submissions
of one id meeting at the unique constraint, and the cancel through the lifecycle."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from operations import opendsr
from rights.audit import SYSTEM
from rights.errors import Conflict, NotFound
from rights.models.api import OpenDsrSubmission
from rights.models.audit import AuditEvent
from rights.models.request import RequestState, RightsRequest
from rights.opendsr.keys import create_key
from rights.opendsr.validation import RequestInvalid
from tests.helpers import ops_context

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


def _body(**fields):
    data = {
        "regulation": "gdpr",
        "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "access",
        "subject_identities": [
            {"identity_type": "phone_number", "identity_value": "06-12345678"},
            {"identity_type": "controller_customer_id", "identity_value": "K-0042"},
            {"identity_type": "name", "identity_value": "Kees  Visser"},
        ],
        "submitted_time": "2026-03-01T23:30:00Z",  # 2 March, Amsterdam
    }
    data.update(fields)
    return data


@pytest.fixture
def setting(app, db_session, make_org):
    org = make_org(slug="bakkerij-jansen")
    key = create_key(db_session, org, actor=SYSTEM, now=NOW).key
    db_session.commit()
    return ops_context(app, db_session, now=NOW), key


def _submit(ctx, key, body, version="2.0"):
    raw = json.dumps(body).encode()
    return opendsr.submit(ctx, key, body, raw, version=version)


def test_a_submission_is_an_instruction_counted_from_the_controllers_receipt(setting, db_session):
    ctx, key = setting
    created = _submit(ctx, key, _body())
    db_session.commit()
    request = db_session.scalar(select(RightsRequest))
    assert request.receipt_date.isoformat() == "2026-03-02"  # the Amsterdam day of submitted_time
    assert request.state is RequestState.OPEN and request.instructed_actions == ["export"]
    assert (request.requester_phone, request.requester_customer_number) == (
        "+31612345678",
        "K-0042",
    )
    assert request.requester_name == "Kees Visser"
    assert created.body["received_time"] == "2026-03-05T10:00:00Z"
    assert created.body["expected_completion_time"].startswith("2026-04-02")
    actors = {
        (e.action, e.actor_kind)
        for e in db_session.scalars(select(AuditEvent).where(AuditEvent.request_id == request.id))
    }
    assert {("request.received", "api_key"), ("request.instructed", "api_key"),
            ("opendsr.submitted", "api_key")} <= actors  # fmt: skip


def test_repeats_and_conflicts_are_per_controller(setting, db_session, make_org):
    ctx, key = setting
    body = _body()
    first = _submit(ctx, key, body)
    again = _submit(ctx, key, dict(reversed(list(body.items()))))
    assert again.repeated and not first.repeated
    assert {**again.body, "encoded_request": ""} == {**first.body, "encoded_request": ""}
    assert json.loads(base64.b64decode(again.body["encoded_request"])) == body
    with pytest.raises(Conflict):
        _submit(ctx, key, {**body, "subject_request_type": "portability"})
    other = create_key(db_session, make_org(slug="slagerij-vers"), actor=SYSTEM, now=NOW).key
    assert not _submit(ctx, other, body).repeated
    assert db_session.scalar(select(func.count()).select_from(OpenDsrSubmission)) == 2


def test_a_second_first_submission_of_one_id_fails_in_its_savepoint_only(setting, db_session):
    """What two parallel first submissions meet: the unique constraint, inside the loser's
    savepoint, so the winner's request and the transaction survive (the use case then
    answers the loser as a repeat)."""
    ctx, key = setting
    body = _body()
    parsed = opendsr._parse(ctx, key, body, "2.0")
    with db_session.begin_nested():
        opendsr._store(ctx, key, parsed, "d" * 64)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        opendsr._store(ctx, key, parsed, "d" * 64)
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(RightsRequest)) == 1
    assert db_session.scalar(select(func.count()).select_from(OpenDsrSubmission)) == 1


def test_cancel_only_while_pending_and_only_ones_own(setting, db_session, make_org):
    ctx, key = setting
    body = _body()
    _submit(ctx, key, body)
    other = create_key(db_session, make_org(), actor=SYSTEM, now=NOW).key
    with pytest.raises(NotFound):
        opendsr.cancel(ctx, other, body["subject_request_id"])
    answer = opendsr.cancel(ctx, key, body["subject_request_id"])
    assert answer["received_time"] == "2026-03-05T10:00:00Z"
    request = db_session.scalar(select(RightsRequest))
    assert request.state is RequestState.WITHDRAWN
    with pytest.raises(RequestInvalid):
        opendsr.cancel(ctx, key, body["subject_request_id"])
    assert opendsr.status(ctx, key, body["subject_request_id"])["request_status"] == "cancelled"


def test_age_limits_come_from_the_settings(app, setting):
    ctx, key = setting
    app.config["OPENDSR_MAX_AGE_DAYS"] = 1
    old = (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(RequestInvalid) as info:
        _submit(ctx, key, _body(submitted_time=old))
    assert info.value.errors[0]["reason"] == "too_old"
