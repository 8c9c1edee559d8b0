"""The gate before every apply: what it refuses today, and that a refusal changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from rights.actions import execute_action, prepare_action
from rights.audit import SYSTEM, Actor
from rights.errors import Conflict, PermissionDenied
from rights.lifecycle import FINAL_STATES
from rights.models.source import ActionKind, ActionStatus, DataRecord, SubjectMatch
from rights.requests import Requester
from rights.sources.discovery import discover
from rights.sources.ingest import ingest_data_file
from rights.sources.matching import decide_match
from tests.rights.sources.conftest import DUTCH_CSV, KEY


@pytest.fixture
def kees(db_session, file_source, make_request, make_user, now):
    """A request for Kees, whose record in the data file is confirmed."""
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    request = make_request(requester=Requester(name="Kees Visser", email="kees@example.nl"))
    actor = Actor.user(make_user().id)
    discover(db_session, request, actor=actor, now=now, key=KEY)
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ):
        decide_match(db_session, match, confirm=True, actor=actor, now=now)
    return request


def _records(db_session):
    return db_session.scalar(select(func.count()).select_from(DataRecord))


def test_the_officer_who_prepared_an_erasure_cannot_execute_it(
    db_session, file_source, kees, make_user, now
):
    preparer = Actor.user(make_user().id)
    action = prepare_action(
        db_session, kees, file_source, ActionKind.ERASE, actor=preparer, now=now, key=KEY
    )
    count = _records(db_session)
    with pytest.raises(PermissionDenied) as info:
        execute_action(db_session, action, actor=preparer, now=now, key=KEY)
    assert info.value.code == "four_eyes"
    assert _records(db_session) == count and action.status is ActionStatus.PREPARED
    execute_action(db_session, action, actor=Actor.user(make_user().id), now=now, key=KEY)
    assert _records(db_session) == count - 1


def test_nothing_is_carried_out_for_a_closed_request(db_session, file_source, kees, make_user, now):
    preparer, executor = Actor.user(make_user().id), Actor.user(make_user().id)
    action = prepare_action(
        db_session, kees, file_source, ActionKind.ERASE, actor=preparer, now=now, key=KEY
    )
    kees.state = sorted(FINAL_STATES)[0]
    db_session.flush()
    count = _records(db_session)
    with pytest.raises(Conflict) as info:
        execute_action(db_session, action, actor=executor, now=now, key=KEY)
    assert info.value.code == "request_closed"
    assert _records(db_session) == count and action.status is ActionStatus.PREPARED
    with pytest.raises(Conflict):
        prepare_action(
            db_session, kees, file_source, ActionKind.RESTRICT, actor=preparer, now=now, key=KEY
        )
