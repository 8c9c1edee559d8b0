"""The demo's answer letters for all seven rights, in Dutch and English, as
``dsr-portal answer draft`` prints them, compared with golden files under
``tests/golden/letters/`` so every change to what a subject reads shows in review.

To accept a change on purpose: ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/workspace/test_letter_golden.py`` and read the diff before committing.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from operations.demo import load_demo
from operations.demo_sources import load_demo_sources
from rights import requests
from rights.actions import execute_action, prepare_action
from rights.audit import SYSTEM, Actor
from rights.controllers.approvals import decide_action
from rights.models.controller import DecisionKind
from rights.models.org import Organisation, User
from rights.models.request import Channel, RightsRequest
from rights.models.source import ActionKind, SubjectMatch
from rights.righttypes import (
    AccessDetails,
    RestrictionDetails,
    RightType,
    WithdrawConsentDetails,
)
from rights.sources.discovery import discover
from rights.sources.matching import decide_match
from tests.glossary import problems, unzoned_times
from tests.helpers import ops_context

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "letters"
FROZEN = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
REFERENCE = re.compile(r"AVG-[A-Z0-9]{4}-[A-Z0-9]{4}")
RIGHTS = [r.value for r in RightType]


def _make(ctx, org: Organisation, name: str, email: str, details) -> RightsRequest:
    intake = requests.Intake(
        right=details.kind,
        details=details,
        requester=requests.Requester(name=name, email=email),
        received_at=FROZEN - timedelta(days=5, hours=2),
        channel=Channel.EMAIL,
        language="nl",
        organisation_id=org.id,
    )
    return requests.create_request(ctx.session, intake, actor=SYSTEM, now=FROZEN, policy=ctx.policy)


@pytest.fixture
def demo_letters(app, db_session):
    """The reference of one demo request per right (the two rights the demo queue lacks,
    and an access request whose data the demo sources hold, are added)."""
    app.config["CLOCK"] = lambda: FROZEN
    ctx = ops_context(app, db_session, now=FROZEN)
    load_demo(ctx)
    load_demo_sources(ctx)
    orgs = {o.slug: o for o in db_session.scalars(select(Organisation))}
    officer = db_session.scalar(select(User).where(User.email == "officer@demo.example"))
    bakker = orgs["bakkerij-jansen"]
    access = _make(ctx, bakker, "Pieter Smit", "p.smit@example.nl", AccessDetails())
    actor = Actor.user(officer.id)
    discover(db_session, access, actor=actor, now=FROZEN, key=ctx.source_keys())
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == access.id)
    ):
        decide_match(db_session, match, confirm=True, actor=actor, now=FROZEN)
    _make(ctx, orgs["operator"], "Willem Kok", "willem@example.nl", RestrictionDetails(ground="a"))
    _make(
        ctx, bakker, "Kees Visser", "kees@example.nl",
        WithdrawConsentDetails(which_consent="Nieuwsbrief"),
    )  # fmt: skip
    _erase_in_every_source(ctx, db_session, bakker)
    db_session.commit()
    chosen = {RightType.ACCESS.value: access.reference}
    for request in db_session.scalars(select(RightsRequest).order_by(RightsRequest.id)):
        chosen.setdefault(request.right.value, request.reference)
    return chosen


def _erase_in_every_source(ctx, db_session, bakker: Organisation) -> None:
    """The demo erasure request worked through: matches confirmed, an erasure previewed in
    each source, approved by the controller's contact and executed by a second officer, so
    the erasure letter names what was erased and what was kept."""
    users = {u.email: u for u in db_session.scalars(select(User))}
    officer, second = users["officer@demo.example"], users["officer2@demo.example"]
    contact = users["contact@bakkerij-jansen.example"]
    request = db_session.scalars(
        select(RightsRequest)
        .where(RightsRequest.right == RightType.ERASURE, RightsRequest.organisation_id == bakker.id)
        .order_by(RightsRequest.id)
    ).first()
    key = ctx.source_keys()
    discover(db_session, request, actor=Actor.user(officer.id), now=FROZEN, key=key)
    matches = db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
    sources = []
    for match in matches:
        decide_match(db_session, match, confirm=True, actor=Actor.user(officer.id), now=FROZEN)
        sources.append(match.source)
    for source in dict.fromkeys(sources):
        action = prepare_action(db_session, request, source, ActionKind.ERASE,
                                actor=Actor.user(officer.id), now=FROZEN, key=key)  # fmt: skip
        decide_action(db_session, action, DecisionKind.APPROVE, actor=Actor.user(contact.id),
                      now=FROZEN)  # fmt: skip
        execute_action(db_session, action, actor=Actor.user(second.id), now=FROZEN, key=key)


def _draft(app, reference: str, language: str) -> str:
    result = app.test_cli_runner().invoke(
        args=["answer", "draft", reference, "--language", language], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return REFERENCE.sub("<REFERENCE>", result.stdout)


def test_the_seven_demo_letters_match_their_golden_files(app, demo_letters):
    assert sorted(demo_letters) == sorted(RIGHTS)
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    changed, unread = [], []
    for right in RIGHTS:
        for language in ("nl", "en"):
            text = _draft(app, demo_letters[right], language)
            path = GOLDEN / f"{right}.{language}.txt"
            # Read as the subject reads it: no code, no word of the other language (the
            # source definition's free texts come in the letter's language too).
            unread += [f"{path.name}: {p}" for p in problems(text, language, html=False)]
            unread += [f"{path.name}: {p}" for p in unzoned_times(text, html=False)]
            if update:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            elif not path.exists() or path.read_text(encoding="utf-8") != text:
                changed.append(path.name)
    assert not changed, f"letters differ from their golden files: {changed}"
    assert not unread, "\n".join(unread)
