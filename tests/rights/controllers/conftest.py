"""A controller with a designated contact, a contact who is not designated, another
controller's contact, two operator officers, the controller's data file holding Kees, and
Kees's erasure request to that controller with his record confirmed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rights.actions import prepare_action
from rights.audit import SYSTEM, Actor
from rights.models.controller import ControllerDecision
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import Channel, RightsRequest
from rights.models.source import (
    ActionKind,
    DataRecord,
    DataSource,
    SourceAction,
    SourceKind,
    SubjectMatch,
)
from rights.requests import Requester
from rights.righttypes import ErasureDetails
from rights.sources.discovery import discover
from rights.sources.ingest import ingest_data_file
from rights.sources.matching import decide_match
from tests.rights.sources.conftest import DUTCH_CSV, KEY


@dataclass
class World:
    controller: Organisation
    source: DataSource
    request: RightsRequest
    contact: User  # designated
    colleague: User  # same organisation, not designated
    stranger: User  # designated contact of another controller
    officer: User
    second_officer: User
    admin: User

    def actor(self, user: User) -> Actor:
        return Actor.user(user.id)


def file_source_of(session: Session, org: Organisation, now: datetime) -> DataSource:
    source = DataSource(
        slug=f"mailing-{org.slug}", name="Mailingbestand", kind=SourceKind.FILE,
        organisation_id=org.id, purposes=["Direct marketing"], legal_basis=["consent"],
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(source)
    session.flush()
    ingest_data_file(session, source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    return source


def confirm_all(session: Session, request: RightsRequest, actor: Actor, now: datetime) -> None:
    discover(session, request, actor=actor, now=now, key=KEY)
    for match in session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id)):
        decide_match(session, match, confirm=True, actor=actor, now=now)


@pytest.fixture
def world(db_session, make_org, make_user, make_request, now) -> World:
    controller = make_org(name="Bakkerij Zoet")
    other = make_org(name="Slagerij Vers")
    contact = make_user(Role.CONTROLLER, organisation=controller)
    contact.designated = True
    colleague = make_user(Role.CONTROLLER, organisation=controller)
    stranger = make_user(Role.CONTROLLER, organisation=other)
    stranger.designated = True
    officer, second = make_user(), make_user()
    admin = make_user(Role.ADMIN)
    source = file_source_of(db_session, controller, now)
    request = make_request(
        ErasureDetails(),
        requester=Requester(name="Kees Visser", email="kees@example.nl"),
        organisation_id=controller.id,
        channel=Channel.EMAIL,
    )
    confirm_all(db_session, request, Actor.user(officer.id), now)
    db_session.commit()
    return World(controller, source, request, contact, colleague, stranger, officer, second, admin)


@pytest.fixture
def erase(db_session, world, now) -> SourceAction:
    """The erasure of Kees's record, prepared by the first officer."""
    action = prepare_action(
        db_session, world.request, world.source, ActionKind.ERASE,
        actor=world.actor(world.officer), now=now, key=KEY,
    )  # fmt: skip
    db_session.commit()
    return action


def records(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DataRecord)) or 0)


def decisions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ControllerDecision)) or 0)


def operator_org(make_org: Any) -> Organisation:
    return make_org(OrganisationKind.OPERATOR)  # type: ignore[no-any-return]
