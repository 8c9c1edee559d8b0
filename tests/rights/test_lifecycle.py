from __future__ import annotations

import pytest

from rights import lifecycle
from rights.audit import SYSTEM
from rights.errors import InvalidTransition
from rights.models.audit import AuditEvent
from rights.models.request import Outcome, RequestState


def test_every_state_has_a_row_in_the_table():
    assert set(lifecycle.TRANSITIONS) == set(RequestState)


def test_final_states_cannot_go_anywhere_but_reopen_or_close():
    assert lifecycle.TRANSITIONS[RequestState.CLOSED] == frozenset()
    assert lifecycle.TRANSITIONS[RequestState.CLOSED_UNVERIFIED] == frozenset()


def test_transition_writes_an_audit_event(db_session, make_request, now):
    req = make_request()
    lifecycle.transition(db_session, req, RequestState.OPEN, actor=SYSTEM, now=now)
    event = db_session.query(AuditEvent).order_by(AuditEvent.seq.desc()).first()
    assert event.action == "request.transition"
    assert event.data == {"from": "awaiting_verification", "to": "open"}
    assert event.request_id == req.id


def test_invalid_transition_raises_and_changes_nothing(db_session, make_request, now):
    req = make_request()
    with pytest.raises(InvalidTransition):
        lifecycle.transition(db_session, req, RequestState.CLOSED, actor=SYSTEM, now=now)
    assert req.state is RequestState.AWAITING_VERIFICATION


def test_answer_needs_an_outcome(db_session, make_request, now):
    req = make_request()
    lifecycle.transition(db_session, req, RequestState.OPEN, actor=SYSTEM, now=now)
    with pytest.raises(InvalidTransition):
        lifecycle.transition(db_session, req, RequestState.ANSWERED, actor=SYSTEM, now=now)
    lifecycle.transition(
        db_session, req, RequestState.ANSWERED, actor=SYSTEM, now=now, outcome=Outcome.REFUSED
    )
    assert req.outcome is Outcome.REFUSED and req.answered_at == now


def test_invalid_transition_is_409_through_the_portal(app, client, db_session, make_request):
    req = make_request()

    @app.post("/_test/close/<int:rid>")
    def _close(rid):  # a test-only route that calls the domain like a view would
        from portal.db import get_session
        from rights.models.request import RightsRequest

        s = get_session()
        lifecycle.transition(
            s, s.get(RightsRequest, rid), RequestState.CLOSED, actor=SYSTEM, now=req.created_at
        )
        return "ok"

    app.config["WTF_CSRF_ENABLED"] = False
    resp = client.post(f"/_test/close/{req.id}")
    assert resp.status_code == 409
