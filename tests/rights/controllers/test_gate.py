"""Nothing runs on a controller's data without that controller's designated approval; the
processor's four eyes still apply on top (docs/controllers.md, "Approvals and the gate")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rights.actions import execute_action, prepare_action
from rights.controllers.approvals import decide_action, is_approved
from rights.errors import PermissionDenied
from rights.models.audit import AuditEvent
from rights.models.controller import DecisionKind
from rights.models.org import OrganisationKind
from rights.models.source import ActionKind, ActionStatus, MatchStatus, SubjectMatch
from rights.sources.matching import decide_match
from tests.rights.controllers.conftest import records
from tests.rights.sources.conftest import KEY

K = DecisionKind


def _refused(db_session, world, action, now, code, who=None):
    count = records(db_session)
    with pytest.raises(PermissionDenied) as info:
        execute_action(
            db_session, action, actor=world.actor(who or world.second_officer), now=now, key=KEY
        )
    assert info.value.code == code
    assert records(db_session) == count and action.status is ActionStatus.PREPARED


def test_an_erasure_on_a_controllers_source_needs_its_approval(db_session, world, erase, now):
    _refused(db_session, world, erase, now, "controller_approval")


def test_with_the_approval_a_second_officer_executes_and_the_audit_names_it(
    db_session, world, erase, now
):
    approval = decide_action(
        db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now
    )
    _refused(db_session, world, erase, now, "four_eyes", who=world.officer)  # four eyes still
    count = records(db_session)
    execute_action(db_session, erase, actor=world.actor(world.second_officer), now=now, key=KEY)
    assert erase.status is ActionStatus.EXECUTED and records(db_session) == count - 1
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "source_action.executed")
    ).one()
    assert event.data["approval_id"] == approval.id
    assert event.data["approved_by"] == world.contact.id


def test_refused_approvers_leave_the_gate_shut(db_session, world, erase, now):
    for who in (world.colleague, world.stranger, world.officer, world.admin):
        with pytest.raises(PermissionDenied):
            decide_action(db_session, erase, K.APPROVE, actor=world.actor(who), now=now)
    _refused(db_session, world, erase, now, "controller_approval")


def test_a_rejected_action_never_runs(db_session, world, erase, now):
    decide_action(db_session, erase, K.REJECT, actor=world.actor(world.contact), now=now,
                  reason="Wij hebben deze gegevens nodig")  # fmt: skip
    _refused(db_session, world, erase, now, "controller_rejected")


def test_the_approval_lapses_when_the_plan_differs(db_session, world, erase, now):
    decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)
    erase.plan = [{**op, "key": "other"} for op in erase.plan] or [{"op": "x"}]
    db_session.flush()
    _refused(db_session, world, erase, now, "controller_approval")


def test_the_approval_lapses_when_a_match_changes(db_session, world, erase, now):
    decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)
    match = db_session.scalars(
        select(SubjectMatch).where(
            SubjectMatch.request_id == world.request.id,
            SubjectMatch.status == MatchStatus.CONFIRMED,
        )
    ).first()
    decide_match(db_session, match, confirm=True, actor=world.actor(world.officer), now=now)
    assert not is_approved(db_session, erase)
    _refused(db_session, world, erase, now, "controller_approval")


def test_the_approval_lapses_when_the_action_is_prepared_again(db_session, world, erase, now):
    decide_action(db_session, erase, K.APPROVE, actor=world.actor(world.contact), now=now)
    prepare_action(db_session, world.request, world.source, ActionKind.ERASE,
                   actor=world.actor(world.officer), now=now, key=KEY)  # fmt: skip
    _refused(db_session, world, erase, now, "controller_approval")


def test_an_instruction_naming_erase_authorises_erase_but_not_rectify(
    db_session, world, erase, now
):
    world.request.instructed_by_id = world.contact.id
    world.request.instructed_actions = ["erase"]
    db_session.flush()
    rectify = prepare_action(
        db_session, world.request, world.source, ActionKind.RECTIFY,
        actor=world.actor(world.officer), now=now, key=KEY,
        params={"column": "Achternaam", "value": "Visscher"},
    )  # fmt: skip
    _refused(db_session, world, rectify, now, "controller_approval")
    assert is_approved(db_session, erase)
    execute_action(db_session, erase, actor=world.actor(world.second_officer), now=now, key=KEY)
    assert erase.status is ActionStatus.EXECUTED


def test_an_instruction_of_another_controller_authorises_nothing(db_session, world, erase, now):
    world.request.instructed_by_id = world.stranger.id
    world.request.instructed_actions = ["erase"]
    db_session.flush()
    _refused(db_session, world, erase, now, "controller_approval")


def test_the_operators_own_data_needs_no_controller(db_session, world, erase, make_org, now):
    world.source.organisation_id = make_org(OrganisationKind.OPERATOR).id
    db_session.flush()
    db_session.expire(world.source, ["organisation"])
    execute_action(db_session, erase, actor=world.actor(world.second_officer), now=now, key=KEY)
    assert erase.status is ActionStatus.EXECUTED
