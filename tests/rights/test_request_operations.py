"""Intake, extension and suspension as docs/legal.md describes them ("Deadlines", "Pausing
the clock", "Extension (Art. 12(3))")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rights import requests as ops
from rights.audit import Actor
from rights.errors import DeadlinePassed, InvalidTransition, ValidationFailed
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.request import Channel, RequestState
from rights.righttypes import ErasureDetails

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def officer(make_user):
    return Actor.user(make_user().id)


def test_intake_stores_the_deadline_snapshot(make_request):
    req = make_request(received_at=datetime(2026, 3, 5, 9, 0, tzinfo=AMS))
    assert req.receipt_date == date(2026, 3, 5)
    assert req.due == date(2026, 4, 7)  # 5 Apr is Easter Sunday, 6 Apr Easter Monday
    assert req.due_end == datetime(2026, 4, 7, 22, 0, tzinfo=UTC)
    assert req.extended_due == date(2026, 6, 5)
    assert req.target_due == req.due
    assert req.state is RequestState.AWAITING_VERIFICATION


def test_intake_writes_the_first_audit_event_without_personal_data(db_session, make_request):
    req = make_request()
    event = db_session.query(AuditEvent).filter_by(request_id=req.id).one()
    assert event.action == "request.received"
    assert "eva" not in str(event.data).lower()


def test_staff_registered_request_runs_from_original_arrival(make_request):
    # E05: arrived at info@ on 5 March, found on 9 March: due 7 April.
    req = make_request(
        received_at=datetime(2026, 3, 5, 8, 0, tzinfo=AMS),
        now=datetime(2026, 3, 9, 10, 0, tzinfo=AMS),
        channel=Channel.EMAIL,
    )
    assert req.due == date(2026, 4, 7)
    assert req.state is RequestState.OPEN


def test_arrival_in_the_future_is_refused(make_request):
    with pytest.raises(ValidationFailed):
        make_request(
            received_at=datetime(2026, 3, 6, tzinfo=UTC), now=datetime(2026, 3, 5, tzinfo=UTC)
        )


def test_references_are_unique_and_not_sequential(make_request):
    refs = [make_request().reference for _ in range(5)]
    assert len(set(refs)) == 5
    assert all(r.startswith("AVG-") and len(r) == 13 for r in refs)


def _jan31(make_request):
    return make_request(
        ErasureDetails(),
        received_at=datetime(2027, 1, 31, 12, 0, tzinfo=AMS),
        now=datetime(2027, 1, 31, 12, 0, tzinfo=AMS),
        channel=Channel.EMAIL,
    )


def test_extension_on_the_last_evening_is_allowed_e01(db_session, make_request, officer):
    req = _jan31(make_request)
    assert req.due == date(2027, 3, 1)
    ops.extend(
        db_session,
        req,
        "complexity",
        "Data in three systems.",
        actor=officer,
        now=datetime(2027, 3, 1, 21, 0, tzinfo=AMS),
    )
    assert req.extended and req.effective_due == date(2027, 4, 28)
    mail = db_session.query(OutboxMail).filter_by(request_id=req.id).one()
    assert mail.template == "extension_notice" and mail.to_addr == "eva@example.nl"


def test_extension_after_due_end_is_refused_e02(db_session, make_request, officer):
    req = _jan31(make_request)
    with pytest.raises(DeadlinePassed):
        ops.extend(
            db_session,
            req,
            "complexity",
            "Too late.",
            actor=officer,
            now=datetime(2027, 3, 2, 0, 30, tzinfo=AMS),
        )
    assert not req.extended and req.effective_due == date(2027, 3, 1)


def test_second_extension_is_refused_e07(db_session, make_request, officer):
    req = _jan31(make_request)
    at = datetime(2027, 2, 10, tzinfo=AMS)
    ops.extend(
        db_session, req, "number_of_requests", "Influx after TV item.", actor=officer, now=at
    )
    with pytest.raises(InvalidTransition):
        ops.extend(db_session, req, "complexity", "Again.", actor=officer, now=at)


@pytest.mark.parametrize(("ground", "text"), [("effort", "x"), ("complexity", "  ")])
def test_extension_needs_a_listed_ground_and_a_justification(
    db_session, make_request, officer, ground, text
):
    req = _jan31(make_request)
    with pytest.raises(ValidationFailed):
        ops.extend(
            db_session, req, ground, text, actor=officer, now=datetime(2027, 2, 1, tzinfo=AMS)
        )


def test_suspension_moves_the_due_date_as_legal_example(db_session, make_request, officer, policy):
    # docs/legal.md, "Pausing the clock": received Mon 2 Mar 2026, identity asked 3 Mar,
    # answered 10 Mar: 6 paused days, due Wed 8 Apr; the staff target stays the unsuspended 2 Apr.
    req = make_request(received_at=datetime(2026, 3, 2, 9, 0, tzinfo=AMS), channel=Channel.EMAIL)
    ops.suspend(
        db_session,
        req,
        "identity",
        "Please confirm your old address.",
        actor=officer,
        now=datetime(2026, 3, 3, 11, 0, tzinfo=AMS),
        policy=policy,
    )
    assert req.state is RequestState.AWAITING_INFORMATION
    assert req.due == date(2026, 4, 2)
    ops.resume(
        db_session,
        req,
        actor=Actor.subject(),
        now=datetime(2026, 3, 10, 15, 0, tzinfo=AMS),
        policy=policy,
    )
    assert req.state is RequestState.OPEN
    assert req.paused_days == 6
    assert req.due == date(2026, 4, 8)
    assert req.due_end == datetime(2026, 4, 8, 22, 0, tzinfo=UTC)
    assert req.extended_due == date(2026, 6, 8)
    assert req.target_due == date(2026, 4, 2)


def test_late_question_does_not_pause_the_clock_e06(db_session, make_request, officer, policy):
    req = make_request(received_at=datetime(2026, 3, 2, 9, 0, tzinfo=AMS), channel=Channel.EMAIL)
    asked = datetime(2026, 3, 16, 9, 0, tzinfo=AMS)  # 10 working days later
    suspension = ops.suspend(
        db_session, req, "identity", "Who are you?", actor=officer, now=asked, policy=policy
    )
    assert suspension.counts is False
    ops.resume(db_session, req, actor=Actor.subject(), now=asked + timedelta(days=5), policy=policy)
    assert req.paused_days == 0 and req.due == date(2026, 4, 2)


def test_resume_without_question_is_refused(db_session, make_request, officer, policy):
    req = make_request(channel=Channel.EMAIL)
    with pytest.raises(InvalidTransition):
        ops.resume(db_session, req, actor=officer, now=req.received_at, policy=policy)


def test_confirm_email_opens_the_request(db_session, make_request):
    req = make_request()
    ops.confirm_email(db_session, req, now=req.received_at + timedelta(minutes=5))
    assert req.state is RequestState.OPEN and req.email_verified_at is not None
    with pytest.raises(InvalidTransition):
        ops.confirm_email(db_session, req, now=req.received_at + timedelta(minutes=6))
