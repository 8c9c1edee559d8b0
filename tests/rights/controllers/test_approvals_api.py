"""The decisions of a controller's designated contact: who may take them, what they bind,
when an approval lapses (docs/controllers.md, "Approvals and the gate")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rights.audit import SYSTEM, Actor
from rights.controllers.approvals import (
    current_decision,
    decide_action,
    decide_request,
    decisions_for,
    is_approved,
    lapse,
    plan_digest,
)
from rights.controllers.authority import controller_of, owner_of_action, require_decider
from rights.errors import NotFound, PermissionDenied, ValidationFailed
from rights.models.audit import AuditEvent
from rights.models.controller import DecisionKind
from rights.models.org import OrganisationKind
from tests.rights.controllers.conftest import decisions

K = DecisionKind


def test_plan_digest_is_canonical():
    assert plan_digest([{"a": 1, "b": [2]}]) == plan_digest([{"b": [2], "a": 1}])
    assert plan_digest([{"a": 1}]) != plan_digest([{"a": 2}])


def test_the_owner_of_an_action_is_the_controller_of_its_source(db_session, world, erase):
    assert controller_of(world.request).id == world.controller.id
    assert owner_of_action(db_session, erase).id == world.controller.id


def test_the_designated_contact_approves_and_the_audit_names_them(db_session, world, erase, now):
    decision = decide_action(
        db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now
    )
    assert decision.digest == plan_digest(erase.plan)
    assert decision.decided_by_id == world.contact.id
    assert is_approved(db_session, erase)
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "controller.action_approved")
    ).one()
    assert event.actor_id == world.contact.id and event.data["contact_id"] == world.contact.id


@pytest.mark.parametrize("who", ["colleague", "stranger", "officer", "admin"])
def test_only_a_designated_contact_of_the_owner_can_approve(db_session, world, erase, now, who):
    with pytest.raises(PermissionDenied) as info:
        decide_action(db_session, erase, K.APPROVE, actor=world.actor(getattr(world, who)), now=now)
    assert info.value.code == "not_designated"
    assert decisions(db_session) == 0 and not is_approved(db_session, erase)


def test_the_system_and_the_subject_cannot_approve(db_session, world, erase, now):
    for actor in (SYSTEM, Actor.subject()):
        with pytest.raises(PermissionDenied):
            decide_action(db_session, erase, K.APPROVE, actor=actor, now=now)
    assert decisions(db_session) == 0


def test_a_contact_who_is_no_longer_designated_no_longer_authorises(db_session, world, erase, now):
    decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)
    world.contact.designated = False
    db_session.flush()
    assert not is_approved(db_session, erase)


def test_reject_and_comment_need_a_reason(db_session, world, erase, now):
    contact = world.actor(world.contact)
    for kind in (K.REJECT, K.COMMENT):
        with pytest.raises(ValidationFailed) as info:
            decide_action(db_session, erase, kind, actor=contact, now=now, reason="  ")
        assert info.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as info:
        decide_action(db_session, erase, K.REJECT, actor=contact, now=now, reason="x" * 2001)
    assert info.value.code == "reason_too_long"
    with pytest.raises(ValidationFailed):
        decide_action(db_session, erase, K.REFUSE, actor=contact, now=now, reason="no")
    assert decisions(db_session) == 0


def test_a_rejection_supersedes_the_approval(db_session, world, erase, now):
    contact = world.actor(world.contact)
    first = decide_action(db_session, erase, K.APPROVE, actor=contact, now=now)
    decide_action(db_session, erase, K.COMMENT, actor=contact, now=now, reason="ok")
    assert current_decision(db_session, erase) is first
    second = decide_action(db_session, erase, K.REJECT, actor=contact, now=now, reason="Nee")
    assert first.lapsed_at == now
    assert current_decision(db_session, erase) is second
    assert not is_approved(db_session, erase)
    assert [d.kind for d in decisions_for(db_session, world.request)] == [
        K.APPROVE, K.COMMENT, K.REJECT,
    ]  # fmt: skip


def test_an_approval_lapses_when_the_plan_changes(db_session, world, erase, now):
    decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)
    erase.plan = [*erase.plan, {"op": "delete", "table": "extra", "key": 99}]
    db_session.flush()
    assert not is_approved(db_session, erase)


def test_lapse_marks_the_approval_and_audits(db_session, world, erase, now):
    decision = decide_action(
        db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now
    )
    assert lapse(db_session, world.request.id, now=now, reason="x", source_id=world.source.id) == 1
    assert decision.lapsed_at == now and not is_approved(db_session, erase)
    assert lapse(db_session, world.request.id, now=now, reason="x") == 0
    assert db_session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "controller.approval_lapsed")
    )


def test_an_action_on_the_operators_own_data_is_not_the_controllers(
    db_session, world, erase, make_org, now
):
    world.source.organisation_id = make_org(OrganisationKind.OPERATOR).id
    db_session.flush()
    db_session.expire(world.source, ["organisation"])
    with pytest.raises(NotFound):
        decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)


def test_refusal_needs_a_ground_allowed_for_the_right_and_a_reason(db_session, world, now):
    contact = world.actor(world.contact)
    with pytest.raises(ValidationFailed) as info:
        decide_request(db_session, world.request, K.REFUSE, actor=contact, now=now,
                       reason="Wij bewaren", ground="art_20_3")  # fmt: skip
    assert info.value.code == "ground_not_allowed"
    with pytest.raises(ValidationFailed) as info:
        decide_request(
            db_session, world.request, K.REFUSE, actor=contact, now=now, ground="art_12_5"
        )
    assert info.value.code == "reason_required"
    decision = decide_request(
        db_session, world.request, K.REFUSE, actor=contact, now=now, reason="Kennelijk ongegrond",
        ground="art_12_5",
    )  # fmt: skip
    assert decision.ground == "art_12_5"


def test_answer_ourselves_marks_the_request(db_session, world, now):
    with pytest.raises(PermissionDenied):
        decide_request(db_session, world.request, K.ANSWER_OURSELVES,
                       actor=world.actor(world.officer), now=now)  # fmt: skip
    assert not world.request.controller_answers
    decide_request(db_session, world.request, K.ANSWER_OURSELVES,
                   actor=world.actor(world.contact), now=now)  # fmt: skip
    assert world.request.controller_answers


def test_require_decider(db_session, world, make_request, make_org):
    with pytest.raises(PermissionDenied) as info:
        require_decider(db_session, world.request, world.actor(world.officer))
    assert info.value.code == "controller_decides"
    for who in (world.colleague, world.stranger):
        with pytest.raises(PermissionDenied) as info:
            require_decider(db_session, world.request, world.actor(who))
        assert info.value.code == "not_designated"
    require_decider(db_session, world.request, world.actor(world.contact))
    own = make_request(organisation_id=make_org(OrganisationKind.OPERATOR).id)
    require_decider(db_session, own, world.actor(world.officer))
    with pytest.raises(PermissionDenied) as info:
        require_decider(db_session, own, world.actor(world.contact))
    assert info.value.code == "staff_only"
