"""Every status change of a request that came over the API queues one callback per URL, with
the exact OpenDSR body, in the same transaction (docs/api.md, "Callbacks")."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import lifecycle
from rights.audit import SYSTEM
from rights.models.api import CallbackDelivery, CallbackStatus
from rights.models.case import AnswerLetter
from rights.models.request import Outcome, RequestState
from rights.opendsr.callbacks import queue_status_change, use_processor_domain
from rights.opendsr.status import denial_reason
from tests.rights.opendsr.helpers import submit

URLS = ["https://crm.example.nl/cb/1", "https://crm.example.nl/cb/2"]


def _rows(session: Session) -> list[CallbackDelivery]:
    return list(session.scalars(select(CallbackDelivery).order_by(CallbackDelivery.id)))


def test_each_status_change_queues_one_callback_per_url(
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    now: datetime,
) -> None:
    org = make_org(slug="acme")
    request = make_request()
    submission = submit(db_session, request, org, URLS, now=now)
    if request.state is RequestState.AWAITING_VERIFICATION:
        lifecycle.transition(db_session, request, RequestState.OPEN, actor=SYSTEM, now=now)
    assert _rows(db_session) == []  # still pending: nothing to tell

    later = now + timedelta(hours=1)
    lifecycle.transition(db_session, request, RequestState.IN_PROGRESS, actor=SYSTEM, now=later)
    rows = _rows(db_session)
    assert [r.url for r in rows] == URLS
    assert submission.last_status == "in_progress"
    for row, url in zip(rows, URLS, strict=True):
        assert row.status is CallbackStatus.PENDING and row.next_attempt_at == later
        body = json.loads(row.body)
        assert body == {
            "controller_id": "acme",
            "expected_completion_time": request.due_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "subject_request_id": submission.subject_request_id,
            "request_status": "in_progress",
            "api_version": "2.0",
            "status_callback_url": url,
        }
    # A move that keeps the OpenDSR status queues nothing more.
    lifecycle.transition(
        db_session, request, RequestState.AWAITING_INFORMATION, actor=SYSTEM, now=later
    )
    assert len(_rows(db_session)) == 2


def test_cancellation_queues_its_callback(
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    now: datetime,
) -> None:
    org = make_org(slug="acme-cancel")
    request = make_request()
    submit(db_session, request, org, URLS[:1], now=now)
    lifecycle.transition(db_session, request, RequestState.WITHDRAWN, actor=SYSTEM, now=now)
    rows = _rows(db_session)
    assert len(rows) == 1 and json.loads(rows[0].body)["request_status"] == "cancelled"
    db_session.rollback()  # the same transaction: a rolled-back change queues nothing
    assert _rows(db_session) == []


def test_a_denial_is_completed_with_the_outcome_in_the_extension(
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    now: datetime,
) -> None:
    org = make_org(slug="acme-denied")
    request = make_request()
    assert request.state is RequestState.AWAITING_VERIFICATION
    submit(db_session, request, org, URLS[:1], now=now)
    use_processor_domain(db_session, "dsr.example.org")
    lifecycle.transition(db_session, request, RequestState.CLOSED_UNVERIFIED, actor=SYSTEM, now=now)
    body = json.loads(_rows(db_session)[0].body)
    assert body["request_status"] == "completed"
    assert body["extensions"] == {
        "dsr.example.org": {"outcome": "denied", "reason": "insuf_verification"}
    }


def test_requests_not_from_the_api_queue_nothing(
    db_session: Session, make_request: Callable[..., Any], now: datetime
) -> None:
    request = make_request()
    lifecycle.transition(db_session, request, RequestState.WITHDRAWN, actor=SYSTEM, now=now)
    assert queue_status_change(db_session, request, now) == 0
    assert _rows(db_session) == []


@pytest.mark.parametrize(
    ("grounds", "reason"),
    [
        (["art_12_5"], "too_many_requests"),
        (["art_11_2"], "insuf_verification"),
        (["art_17_3_b"], "claim_not_covered"),
        (["art_23_1_a"], "other"),
    ],
)
def test_the_denial_reason_follows_the_refusal_grounds(
    db_session: Session, make_request: Callable[..., Any], now: datetime, grounds, reason
) -> None:
    request = make_request()
    db_session.add(
        AnswerLetter(
            request_id=request.id, outcome=Outcome.REFUSED, grounds=grounds, language="nl",
            body="", created_at=now, updated_at=now, sent_at=now,
        )
    )  # fmt: skip
    request.state, request.outcome = RequestState.ANSWERED, Outcome.REFUSED
    db_session.flush()
    assert denial_reason(db_session, request) == reason


def test_a_pause_that_ends_moves_the_completion_time_and_is_reported_once(
    db_session: Session,
    make_org: Callable[..., Any],
    make_request: Callable[..., Any],
    now: datetime,
    policy: Any,
) -> None:
    """The subject answered a question after ten days: the due day moves, the OpenDSR
    status stays in_progress, and the controller's system hears the new time once."""
    from rights.requests import resume, suspend

    org = make_org(slug="acme-pause")
    request = make_request()
    submission = submit(db_session, request, org, URLS[:1], now=now)
    if request.state is RequestState.AWAITING_VERIFICATION:
        lifecycle.transition(db_session, request, RequestState.OPEN, actor=SYSTEM, now=now)
    lifecycle.transition(db_session, request, RequestState.IN_PROGRESS, actor=SYSTEM, now=now)
    [first] = _rows(db_session)
    reported = json.loads(first.body)["expected_completion_time"]
    suspend(db_session, request, "clarification", "Welk account?", actor=SYSTEM, now=now,
            policy=policy)  # fmt: skip
    assert len(_rows(db_session)) == 1  # asking moves nothing (the status stays in_progress)
    resume(db_session, request, actor=SYSTEM, now=now + timedelta(days=10), policy=policy)
    rows = _rows(db_session)
    assert len(rows) == 2
    moved = json.loads(rows[1].body)
    assert moved["request_status"] == "in_progress"
    assert moved["expected_completion_time"] > reported
    assert submission.last_expected_completion == moved["expected_completion_time"]
    assert queue_status_change(db_session, request, now + timedelta(days=11)) == 0
