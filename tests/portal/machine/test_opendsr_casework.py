"""A submission is worked like any controller instruction: it is in the queue marked as
one, its erasure needs no further approval from the controller (four eyes still apply), and
the status follows the case to completed, or completed with outcome denied."""

from __future__ import annotations

from sqlalchemy import select

from rights import answers, lifecycle
from rights.actions import execute_action, prepare_action
from rights.audit import SYSTEM, Actor
from rights.controllers.approvals import decide_request, is_approved
from rights.errors import PermissionDenied
from rights.models.controller import DecisionKind
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.models.source import ActionKind
from rights.opendsr.keys import create_key
from tests.portal.controller.results_world import build, freeze
from tests.portal.machine.conftest import Controller, body, post
from tests.rights.controllers.conftest import confirm_all
from tests.rights.sources.conftest import KEY


def _world(app, db_session, make_org, make_user, make_request, now):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    issued = create_key(db_session, world.a.org, actor=SYSTEM, now=now)
    db_session.commit()
    return world, Controller(world.a.org, issued.secret)


def _submitted(client, db_session, controller, **fields):
    payload = body(**fields)
    assert post(client, controller, payload).status_code == 201
    request = db_session.scalar(
        select(RightsRequest)
        .order_by(RightsRequest.id.desc())
        .where(RightsRequest.organisation_id == controller.org.id)
    )
    return payload["subject_request_id"], request


def _status(client, controller, sid):
    resp = client.get(f"/opendsr/v2/requests/{sid}", headers=controller.auth)
    assert resp.status_code == 200
    return resp.get_json()


def test_the_officer_completes_the_erasure_and_the_api_says_completed(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    world, a = _world(app, db_session, make_org, make_user, make_request, now)
    sid, request = _submitted(client, db_session, a)

    login(world.officer)
    queue = client.get("/staff/").get_data(as_text=True)
    assert request.reference in queue and "Instructie van de verwerkingsverantwoordelijke" in queue
    case = client.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert "systeem van de verwerkingsverantwoordelijke" in case

    officer, second = Actor.user(world.officer.id), Actor.user(world.second_officer.id)
    confirm_all(db_session, request, officer, now)
    erase = prepare_action(
        db_session, request, world.a.source, ActionKind.ERASE, actor=officer, now=now, key=KEY
    )
    restrict = prepare_action(
        db_session, request, world.a.source, ActionKind.RESTRICT, actor=officer, now=now, key=KEY
    )
    db_session.commit()
    assert is_approved(db_session, erase) is True  # the submission instructed it
    assert is_approved(db_session, restrict) is False  # it did not instruct this
    try:  # four eyes: who prepared it cannot execute it
        execute_action(db_session, erase, actor=officer, now=now, key=KEY)
        raise AssertionError("the preparing officer executed the erasure")
    except PermissionDenied:
        db_session.rollback()
    execute_action(db_session, erase, actor=second, now=now, key=KEY)
    db_session.commit()
    assert _status(client, a, sid)["request_status"] in ("pending", "in_progress")

    letter = answers.prepare_answer(
        db_session, request, Outcome.FULFILLED, [], "", "Beste Kees,\n\nGewist.",
        actor=officer, now=now,
    )  # fmt: skip
    answers.send_answer(db_session, request, letter, actor=officer, now=now)
    db_session.commit()
    status = _status(client, a, sid)
    assert status["request_status"] == "completed"
    assert status["extensions"]["localhost"]["outcome"] == "fulfilled"


def test_a_denied_request_is_completed_with_outcome_denied(
    app, client, db_session, make_org, make_user, make_request, now
):
    world, a = _world(app, db_session, make_org, make_user, make_request, now)
    sid, request = _submitted(client, db_session, a)
    officer = Actor.user(world.officer.id)
    decide_request(
        db_session, request, DecisionKind.REFUSE, actor=Actor.user(world.a.contact.id),
        now=now, reason="Herhaald verzoek.", ground="art_12_5",
    )  # fmt: skip
    letter = answers.prepare_answer(
        db_session, request, Outcome.REFUSED, ["art_12_5"], "Vijfde verzoek deze maand.",
        "Beste Kees,\n\nGeweigerd.", actor=officer, now=now, manifestly="excessive",
    )  # fmt: skip
    second = Actor.user(world.second_officer.id)
    answers.approve_answer(db_session, request, letter, actor=second, now=now)
    answers.send_answer(db_session, request, letter, actor=officer, now=now)
    db_session.commit()
    assert request.state is RequestState.ANSWERED
    status = _status(client, a, sid)
    assert status["request_status"] == "completed"
    assert status["extensions"]["localhost"] == {"outcome": "denied", "reason": "too_many_requests"}
    # Closing clears the request's outcome; the sent letter still says it was a refusal.
    lifecycle.transition(db_session, request, RequestState.CLOSED, actor=SYSTEM, now=now)
    db_session.commit()
    assert _status(client, a, sid)["extensions"]["localhost"]["outcome"] == "denied"


def test_the_expected_completion_time_moves_on_extension(
    app, client, db_session, make_org, make_user, make_request, now
):
    world, a = _world(app, db_session, make_org, make_user, make_request, now)
    sid, request = _submitted(client, db_session, a)
    before = _status(client, a, sid)["expected_completion_time"]
    from rights.requests import extend

    extend(
        db_session, request, "complexity", "Veel bronnen.", actor=Actor.user(world.a.contact.id),
        now=now,
    )  # fmt: skip
    db_session.commit()
    after = _status(client, a, sid)
    assert after["expected_completion_time"] > before
    assert after["extensions"]["localhost"]["deadline_extended"] is True
