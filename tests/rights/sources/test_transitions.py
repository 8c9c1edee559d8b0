"""The states of source actions and tasks as data: every allowed and refused change, and
what an officer sees when a change is refused (409, nothing changed)."""

from __future__ import annotations

import io
from itertools import product

import pytest
from sqlalchemy import func, select

from rights.actions import execute_action, prepare_action
from rights.actions.states import ACTION_STATES
from rights.audit import SYSTEM, Actor
from rights.errors import InvalidTransition
from rights.models.audit import AuditEvent
from rights.models.source import (
    ActionKind,
    ActionStatus,
    DataRecord,
    SourceTask,
    SubjectMatch,
    TaskStatus,
)
from rights.requests import Requester
from rights.righttypes import RestrictionDetails
from rights.sources.discovery import discover
from rights.sources.ingest import ingest_data_file
from rights.sources.matching import decide_match
from rights.sources.tasks import TASK_STATES, complete_task
from tests.rights.sources.conftest import DUTCH_CSV, KEY

ACTION_MOVES = {
    (ActionStatus.PREPARED, ActionStatus.EXECUTED),
    (ActionStatus.PREPARED, ActionStatus.FAILED),
}
TASK_MOVES = {
    (TaskStatus.OPEN, TaskStatus.SENT),
    (TaskStatus.OPEN, TaskStatus.DONE),
    (TaskStatus.SENT, TaskStatus.DONE),
}


@pytest.mark.parametrize(("current", "target"), list(product(ActionStatus, ActionStatus)))
def test_action_states(current, target):
    if (current, target) in ACTION_MOVES:
        assert ACTION_STATES.move(current, target) is target
    else:
        with pytest.raises(InvalidTransition) as info:
            ACTION_STATES.move(current, target)
        assert info.value.http_status == 409


@pytest.mark.parametrize(("current", "target"), list(product(TaskStatus, TaskStatus)))
def test_task_states(current, target):
    if (current, target) in TASK_MOVES:
        assert TASK_STATES.move(current, target) is target
    else:
        with pytest.raises(InvalidTransition) as info:
            TASK_STATES.move(current, target)
        assert info.value.http_status == 409


def test_an_executed_action_is_not_carried_out_again(
    db_session, file_source, make_request, make_user, now
):
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    actor = Actor.user(make_user().id)
    request = make_request(
        RestrictionDetails(), requester=Requester(name="Kees", email="kees@example.nl")
    )
    discover(db_session, request, actor=actor, now=now, key=KEY)
    for match in request_matches(db_session, request):
        decide_match(db_session, match, confirm=True, actor=actor, now=now)
    action = prepare_action(
        db_session, request, file_source, ActionKind.ERASE, actor=actor, now=now, key=KEY
    )
    other = Actor.user(make_user().id)
    execute_action(db_session, action, actor=other, now=now, key=KEY)
    records = db_session.scalar(select(func.count()).select_from(DataRecord))
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidTransition) as info:
        execute_action(db_session, action, actor=other, now=now, key=KEY)
    assert info.value.code == "action_done" and info.value.http_status == 409
    assert action.status is ActionStatus.EXECUTED
    assert db_session.scalar(select(func.count()).select_from(DataRecord)) == records
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_done_task_keeps_its_first_answer(db_session, file_source, make_request, make_user, now):
    request = make_request()
    task = SourceTask(
        request_id=request.id, source_id=file_source.id, kind="recipient_notice",
        action="erase", assignee_name="Mailhuis", assignee_email="", status=TaskStatus.OPEN,
        created_at=now,
    )  # fmt: skip
    db_session.add(task)
    db_session.flush()
    actor = Actor.user(make_user().id)
    complete_task(db_session, task, answer="Gewist op 1 mei.", actor=actor, now=now)
    assert task.status is TaskStatus.DONE
    with pytest.raises(InvalidTransition) as info:
        complete_task(db_session, task, answer="Toch niet.", actor=actor, now=now)
    assert info.value.code == "task_done" and info.value.http_status == 409
    assert task.answer == "Gewist op 1 mei."


def request_matches(db_session, request):
    return db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
