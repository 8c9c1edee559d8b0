"""What the domain lets an answer say (docs/legal.md): the grounds table enforced by
check_answer, prepare_answer and every path that answers a request; the complaint text on an
erasure that kept data; no "fulfilled" access without a released package; the follow-up
erasure after a withdrawal of consent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from rights import answers, followups, lifecycle
from rights.answer_rules import Restriction
from rights.answers import REMEDY_NOTICE_EN, REMEDY_NOTICE_NL, check_answer
from rights.audit import Actor
from rights.errors import InvalidTransition, ValidationFailed
from rights.grounds import Basis
from rights.models.casework import CaseLink, CaseNote
from rights.models.request import Channel, Outcome, RequestState, RightsRequest
from rights.models.source import ActionKind, ActionStatus, SourceAction
from rights.righttypes import (
    AccessDetails,
    ErasureDetails,
    ObjectionDetails,
    RestrictionDetails,
    RightType,
    WithdrawConsentDetails,
)
from tests.helpers import release_test_package

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DIRECT = ObjectionDetails(basis="direct_marketing")
SITUATION = ObjectionDetails(basis="particular_situation", situation="Ik word gevolgd.")


@pytest.fixture
def officer_actor(make_user):
    return Actor.user(make_user(name="Olga Officer").id)


@pytest.fixture
def staff_request(make_request):
    def make(details):
        return make_request(details, received_at=NOW - timedelta(days=2), channel=Channel.EMAIL)

    return make


def code_of(call) -> str:
    with pytest.raises((ValidationFailed, InvalidTransition)) as err:
        call()
    return str(err.value.code)


def prepare(db_session, r, actor, outcome, grounds, reasons="Redenen.", **kw):
    return answers.prepare_answer(
        db_session, r, outcome, grounds, reasons, "Beste,\n\nAntwoord.", actor=actor, now=NOW, **kw
    )


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.PARTIALLY_FULFILLED])
@pytest.mark.parametrize("details", [DIRECT, WithdrawConsentDetails(which_consent="nieuwsbrief")])
def test_direct_marketing_objection_and_withdrawal_cannot_be_refused_by_any_path(
    db_session, staff_request, officer_actor, details, outcome
):
    r = staff_request(details)
    for grounds in ([], ["art_12_5"], ["art_21_1_compelling"], ["art_11_2"]):
        for basis in (None, *Basis):
            with pytest.raises(ValidationFailed) as err:
                check_answer(r, outcome, grounds, "Redenen.", basis=basis)
            assert err.value.code == "refusal_not_allowed"
    assert code_of(lambda: prepare(db_session, r, officer_actor, outcome, ["art_12_5"])) == (
        "refusal_not_allowed"
    )
    manifest = lambda: prepare(  # noqa: E731
        db_session, r, officer_actor, Outcome.REFUSED, ["art_12_5"], manifestly="excessive"
    )
    assert code_of(manifest) == "refusal_not_allowed"
    # Any other path that answers goes through the lifecycle, which refuses too.
    direct = lambda: lifecycle.transition(  # noqa: E731
        db_session, r, RequestState.ANSWERED, actor=officer_actor, now=NOW, outcome=outcome
    )
    assert code_of(direct) == "refusal_not_allowed"
    db_session.rollback()
    letter = prepare(db_session, r, officer_actor, Outcome.FULFILLED, [], reasons="")
    answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)
    assert r.outcome is Outcome.FULFILLED


def test_a_21_1_objection_can_be_refused_on_compelling_grounds_only_for_e_or_f(
    db_session, staff_request, officer_actor
):
    r = staff_request(SITUATION)
    refuse = lambda basis: check_answer(  # noqa: E731
        r, Outcome.REFUSED, ["art_21_1_compelling"], "Redenen.", basis=basis
    )
    assert code_of(lambda: refuse(None)) == "basis_required"
    assert code_of(lambda: refuse(Basis.CONTRACT)) == "ground_mismatch"
    refuse(Basis.LEGITIMATE_INTERESTS)
    refuse(Basis.PUBLIC_TASK)
    letter = prepare(
        db_session, r, officer_actor, Outcome.REFUSED, ["art_21_1_compelling"],
        basis=Basis.LEGITIMATE_INTERESTS,
    )  # fmt: skip
    assert letter.extra["basis"] == "legitimate_interests"


@pytest.mark.parametrize("right", [RightType.OBJECTION, RightType.WITHDRAW_CONSENT])
def test_art_11_2_is_not_a_ground_for_objection_or_withdrawal(staff_request, right):
    details = SITUATION if right is RightType.OBJECTION else WithdrawConsentDetails()
    r = staff_request(details)
    assert "art_11_2" not in answers.allowed_grounds(r)
    if right is RightType.OBJECTION:
        call = lambda: check_answer(r, Outcome.REFUSED, ["art_11_2"], "Onbekend.")  # noqa: E731
        assert code_of(call) == "ground_mismatch"


def test_restriction_refused_under_18_1_and_erasure_under_17_1(staff_request):
    restriction = staff_request(RestrictionDetails())
    assert code_of(
        lambda: check_answer(restriction, Outcome.REFUSED, ["art_18_2"], "Redenen.")
    ) == ("ground_mismatch")
    check_answer(restriction, Outcome.REFUSED, ["art_18_1_no_condition"], "Geen grond.")
    erasure = staff_request(ErasureDetails())
    check_answer(erasure, Outcome.REFUSED, ["art_17_1_no_ground"], "Nog nodig voor het doel.")


def test_an_art_23_restriction_needs_a_review_date_and_records_its_justification(
    db_session, staff_request, officer_actor
):
    r = staff_request(AccessDetails())
    grounds = ["art_23_1_d"]
    call = lambda: check_answer(r, Outcome.REFUSED, grounds, "Lopend onderzoek.")  # noqa: E731
    assert code_of(call) == "review_required"
    restriction = Restriction(("Gegevens van het lopende onderzoek",), prejudicial=False)
    prepare(
        db_session, r, officer_actor, Outcome.REFUSED, grounds, reasons="Lopend onderzoek.",
        review_on=date(2026, 6, 1), restriction=restriction,
    )  # fmt: skip
    note = db_session.scalar(
        select(CaseNote).where(CaseNote.request_id == r.id, CaseNote.kind == "art_23_restriction")
    )
    assert note is not None
    assert "art_23_1_d" in note.body and "2026-06-01" in note.body
    assert "Lopend onderzoek." in note.body


def test_an_erasure_that_kept_data_carries_the_complaint_text_even_if_fulfilled(
    db_session, staff_request, officer_actor
):
    r = staff_request(ErasureDetails())
    db_session.add(
        SourceAction(
            request_id=r.id,
            kind=ActionKind.ERASE,
            status=ActionStatus.EXECUTED,
            result={
                "executed": [{"table": "klant"}],
                "kept": [
                    {
                        "table": "factuur",
                        "columns": ["bedrag"],
                        "ground": "art. 52 AWR",
                        "period": "7 jaar",
                    }
                ],
            },
            prepared_at=NOW,
            executed_at=NOW,
        )
    )
    letter = prepare(db_session, r, officer_actor, Outcome.FULFILLED, [], reasons="")
    answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)
    assert REMEDY_NOTICE_NL in letter.body and REMEDY_NOTICE_EN in letter.body


def test_an_erasure_that_kept_nothing_needs_no_complaint_text(
    db_session, staff_request, officer_actor
):
    r = staff_request(ErasureDetails())
    letter = prepare(db_session, r, officer_actor, Outcome.FULFILLED, [], reasons="")
    answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)
    assert REMEDY_NOTICE_NL not in letter.body


def test_an_access_request_is_fulfilled_only_with_a_released_package(
    db_session, staff_request, officer_actor
):
    r = staff_request(AccessDetails())
    letter = prepare(db_session, r, officer_actor, Outcome.FULFILLED, [], reasons="")
    send = lambda: answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)  # noqa: E731
    assert code_of(send) == "package_required"
    assert r.state is not RequestState.ANSWERED
    release_test_package(db_session, r)
    send()
    assert r.state is RequestState.ANSWERED


def test_a_withdrawal_explains_any_other_basis_and_offers_the_17_1_b_erasure(
    db_session, staff_request, officer_actor, policy
):
    r = staff_request(WithdrawConsentDetails(which_consent="nieuwsbrief"))
    call = lambda: check_answer(r, Outcome.FULFILLED, [], "", basis=Basis.CONTRACT)  # noqa: E731
    assert code_of(call) == "other_basis_explanation"
    letter = prepare(
        db_session, r, officer_actor, Outcome.FULFILLED, [],
        reasons="Uw facturen bewaren wij 7 jaar (fiscale plicht).", basis=Basis.LEGAL_OBLIGATION,
    )  # fmt: skip
    answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)
    assert followups.follow_up_ground(r) == "b"
    new = followups.open_follow_up_erasure(
        db_session, r, actor=officer_actor, now=NOW, policy=policy
    )
    assert new.right is RightType.ERASURE and new.details["ground"] == "b"
    assert new.state is RequestState.OPEN and new.group_reference == r.group_reference
    assert new.requester_email == r.requester_email
    link = db_session.scalar(select(CaseLink).where(CaseLink.request_id == new.id))
    assert link.kind == "follow_up" and link.other_id == r.id
    again = lambda: followups.open_follow_up_erasure(  # noqa: E731
        db_session, r, actor=officer_actor, now=NOW, policy=policy
    )
    assert code_of(again) == "follow_up_exists"


def test_no_follow_up_erasure_for_a_refused_objection_or_for_access(
    db_session, staff_request, officer_actor
):
    r = staff_request(SITUATION)
    assert followups.follow_up_ground(r) == "c"
    letter = prepare(
        db_session, r, officer_actor, Outcome.REFUSED, ["art_21_1_compelling"],
        basis=Basis.PUBLIC_TASK,
    )  # fmt: skip
    answers.send_answer(db_session, r, letter, actor=officer_actor, now=NOW)
    assert followups.follow_up_ground(r) is None
    assert followups.follow_up_ground(staff_request(AccessDetails())) is None
    assert (
        db_session.scalar(select(RightsRequest.id).where(RightsRequest.right == "erasure")) is None
    )
