"""P-2: on a controller's request the designated contact decides identity, extension and
refusal; operator officers do not. The operator's own requests are unchanged (docs/
controllers.md, "Who decides")."""

from __future__ import annotations

from pathlib import Path

import pytest

from rights import answers, casework, crypto, lifecycle
from rights import requests as ops
from rights.audit import Actor
from rights.controllers.approvals import decide_action, decide_request
from rights.documents import DocumentStore
from rights.errors import Conflict, PermissionDenied
from rights.models.controller import DecisionKind
from rights.models.org import OrganisationKind
from rights.models.request import Channel, IdentityStatus, Outcome, RequestState
from tests.rights.controllers.conftest import decisions

K = DecisionKind


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(root=tmp_path / "docs", key=crypto.parse_key(crypto.generate_key()))


def _steps(db_session, store, policy, now):
    return {
        "extend": lambda r, a: ops.extend(db_session, r, "complexity", "Veel bronnen", actor=a,
                                          now=now),
        "identity question": lambda r, a: casework.ask_information(
            db_session, r, "identity", "Stuur een bewijs", actor=a, now=now, policy=policy
        ),
        "identity suspend": lambda r, a: ops.suspend(
            db_session, r, "identity", "Wie bent u?", actor=a, now=now, policy=policy
        ),
        "record identity": lambda r, a: casework.record_identity(
            db_session, store, r, "known_details", "Klantnummer klopt", actor=a, now=now
        ),
    }  # fmt: skip


STEPS = ["extend", "identity question", "identity suspend", "record identity"]


@pytest.mark.parametrize("step", STEPS)
def test_an_officer_cannot_decide_for_the_controller(db_session, world, store, policy, now, step):
    run = _steps(db_session, store, policy, now)[step]
    for who, code in (
        (world.officer, "controller_decides"),
        (world.admin, "controller_decides"),
        (world.colleague, "not_designated"),
        (world.stranger, "not_designated"),
    ):
        with pytest.raises(PermissionDenied) as info:
            run(world.request, world.actor(who))
        assert info.value.code == code
    assert not world.request.extended and world.request.state is RequestState.OPEN
    assert world.request.identity_status is not IdentityStatus.VERIFIED


@pytest.mark.parametrize("step", STEPS)
def test_the_designated_contact_decides(db_session, world, store, policy, now, step):
    _steps(db_session, store, policy, now)[step](world.request, world.actor(world.contact))


@pytest.mark.parametrize("step", STEPS)
def test_the_operators_own_request_is_decided_by_its_officers(
    db_session, world, store, policy, now, make_request, make_org, step
):
    own = make_request(
        organisation_id=make_org(OrganisationKind.OPERATOR).id, channel=Channel.EMAIL
    )
    run = _steps(db_session, store, policy, now)[step]
    with pytest.raises(PermissionDenied) as info:
        run(own, world.actor(world.contact))
    assert info.value.code == "staff_only"
    run(own, world.actor(world.officer))


def _answer(db_session, request, officer, outcome, now):
    grounds = [] if outcome is Outcome.FULFILLED else ["art_12_5"]
    letter = answers.prepare_answer(
        db_session, request, outcome, grounds, "Redenen.", "Geachte heer Visser,",
        actor=officer, now=now,
    )  # fmt: skip
    answers.send_answer(db_session, request, letter, actor=officer, now=now)


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.PARTIALLY_FULFILLED])
def test_a_refusal_needs_the_controllers_refusal(db_session, world, now, outcome):
    officer = world.actor(world.officer)
    with pytest.raises(PermissionDenied) as info:
        _answer(db_session, world.request, officer, outcome, now)
    assert info.value.code == "controller_refusal"
    with pytest.raises(PermissionDenied):
        lifecycle.transition(db_session, world.request, RequestState.ANSWERED, actor=officer,
                             now=now, outcome=outcome)  # fmt: skip
    assert world.request.state is RequestState.OPEN
    decide_request(db_session, world.request, K.REFUSE, actor=world.actor(world.contact),
                   now=now, reason="Kennelijk ongegrond", ground="art_12_5")  # fmt: skip
    _answer(db_session, world.request, officer, outcome, now)
    assert world.request.outcome is outcome


def test_a_partial_refusal_may_rest_on_a_rejected_action(db_session, world, erase, now):
    officer = world.actor(world.officer)
    with pytest.raises(PermissionDenied):
        _answer(db_session, world.request, officer, Outcome.REFUSED, now)
    decide_action(db_session, erase, K.REJECT, actor=world.actor(world.contact), now=now,
                  reason="Nodig voor de administratie")  # fmt: skip
    with pytest.raises(PermissionDenied):  # a full refusal needs the REFUSE decision
        lifecycle.transition(db_session, world.request, RequestState.ANSWERED, actor=officer,
                             now=now, outcome=Outcome.REFUSED)  # fmt: skip
    _answer(db_session, world.request, officer, Outcome.PARTIALLY_FULFILLED, now)
    assert world.request.outcome is Outcome.PARTIALLY_FULFILLED


def test_a_fulfilled_answer_needs_no_controller_decision(db_session, world, now):
    _answer(db_session, world.request, world.actor(world.officer), Outcome.FULFILLED, now)
    assert world.request.state is RequestState.ANSWERED and decisions(db_session) == 0


def test_when_the_controller_answers_the_processor_sends_no_answer(db_session, world, now):
    officer = world.actor(world.officer)
    letter = answers.prepare_answer(
        db_session, world.request, Outcome.FULFILLED, [], "", "Geachte heer Visser,",
        actor=officer, now=now,
    )  # fmt: skip
    decide_request(db_session, world.request, K.ANSWER_OURSELVES,
                   actor=world.actor(world.contact), now=now)  # fmt: skip
    with pytest.raises(Conflict) as info:
        answers.send_answer(db_session, world.request, letter, actor=officer, now=now)
    assert info.value.code == "controller_answers"
    with pytest.raises(Conflict):
        answers.prepare_answer(db_session, world.request, Outcome.FULFILLED, [], "", "Tekst",
                               actor=officer, now=now)  # fmt: skip
    assert world.request.state is RequestState.OPEN and letter.sent_at is None


def test_the_operators_own_refusal_is_unchanged(db_session, world, now, make_request, make_org):
    own = make_request(
        organisation_id=make_org(OrganisationKind.OPERATOR).id, channel=Channel.EMAIL
    )
    _answer(db_session, own, world.actor(world.officer), Outcome.REFUSED, now)
    assert own.outcome is Outcome.REFUSED


def test_an_unknown_organisation_keeps_todays_rules(db_session, world, now, make_request):
    unknown = make_request(channel=Channel.EMAIL)
    ops.extend(db_session, unknown, "complexity", "Veel", actor=world.actor(world.officer),
               now=now)  # fmt: skip
    assert unknown.extended
    assert Actor.user(world.officer.id).kind == "user"
