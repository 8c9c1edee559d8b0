"""Two controllers for the results tests: A with a designated contact, a colleague who is
not designated, a file source holding Kees and Kees's erasure request (match confirmed);
B with its own designated contact, file source, request and file. Plain functions, not
fixtures, so the tests of this folder can share them without a conftest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from rights.actions import execute_action, prepare_action
from rights.audit import Actor
from rights.controllers.approvals import decide_action
from rights.models.controller import DecisionKind
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, DataSource, SourceAction
from rights.requests import Requester
from rights.righttypes import ErasureDetails
from tests.rights.controllers.conftest import confirm_all, file_source_of
from tests.rights.sources.conftest import KEY


@dataclass
class Side:
    org: Organisation
    contact: User
    source: DataSource
    request: RightsRequest


@dataclass
class Results:
    a: Side
    b: Side
    colleague: User  # A's, not designated
    officer: User
    second_officer: User


def build(
    db_session: Session, make_org: Any, make_user: Any, make_request: Any, now: datetime
) -> Results:
    make_org(OrganisationKind.OPERATOR, name="Verwerker BV")
    sides = []
    for name, subject in (("Bakkerij Zoet", "Kees Visser"), ("Slagerij Vers", "Kees Visser")):
        org = make_org(name=name)
        contact = make_user(Role.CONTROLLER, organisation=org, name=f"Contact {name}")
        contact.designated = True
        source = file_source_of(db_session, org, now - timedelta(days=1))
        request = make_request(
            ErasureDetails(),
            requester=Requester(name=subject, email="kees@example.nl"),
            organisation_id=org.id,
            received_at=now - timedelta(days=1),
        )
        sides.append(Side(org, contact, source, request))
    colleague = make_user(Role.CONTROLLER, organisation=sides[0].org, name="Niet Aangewezen")
    officer, second = make_user(name="Olga Officer"), make_user(name="Sem Second")
    for side in sides:
        confirm_all(db_session, side.request, Actor.user(officer.id), now)
    db_session.commit()
    return Results(sides[0], sides[1], colleague, officer, second)


def executed_erasure(
    db_session: Session, world: Results, side: Side, now: datetime
) -> SourceAction:
    """The erasure of Kees's record in ``side``'s source: prepared by one officer, approved
    by the side's designated contact, executed by a second officer."""
    action = prepare_action(
        db_session, side.request, side.source, ActionKind.ERASE,
        actor=Actor.user(world.officer.id), now=now, key=KEY,
    )  # fmt: skip
    decide_action(
        db_session, action, DecisionKind.APPROVE, actor=Actor.user(side.contact.id), now=now
    )
    execute_action(db_session, action, actor=Actor.user(world.second_officer.id), now=now, key=KEY)
    db_session.commit()
    return action


def freeze(app: Flask, now: datetime) -> None:
    app.config["CLOCK"] = lambda: now
