"""Forwarding a request to its controller (docs/controllers.md, "Forwarding"): who it may go
to, from which states, the "don't know" request that discovery places, the processor's
target in Dutch working days, and the discovery scope."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from rights import casework, lifecycle
from rights.audit import SYSTEM, Actor
from rights.controllers import routing
from rights.errors import InvalidTransition, PermissionDenied, ValidationFailed
from rights.models.audit import AuditEvent
from rights.models.org import OrganisationKind, Role, User
from rights.models.request import Channel, Outcome, RequestState
from rights.models.source import DataSource, MatchStatus, SourceKind, SubjectMatch
from rights.policy import Policy
from rights.requests import Requester
from rights.sources.discovery import discover, sources_in_scope
from rights.sources.ingest import ingest_data_file
from rights.sources.matching import decide_match
from tests.rights.sources.conftest import DUTCH_CSV, KEY

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # Thursday
KEES = Requester(name="Kees Visser", email="kees@example.nl")


@pytest.fixture
def controller(make_org, make_user, db_session):
    """A controller with one active designated contact, one other user and one former
    designated contact."""
    org = make_org(name="Bakkerij Brood B.V.", forward_within_days=2)
    contact = make_user(Role.CONTROLLER, organisation=org, email="dpo@brood.example")
    contact.designated = True
    make_user(Role.CONTROLLER, organisation=org, email="reader@brood.example")
    gone = make_user(Role.CONTROLLER, organisation=org, email="gone@brood.example")
    gone.designated, gone.active = True, False
    db_session.commit()
    return org


def _designate(make_user, db_session, org, email):
    user = make_user(Role.CONTROLLER, organisation=org, email=email)
    user.designated = True
    db_session.commit()
    return user


def _file_source(db_session, org, slug):
    source = DataSource(
        slug=slug, name=f"Bestand {slug}", kind=SourceKind.FILE, organisation_id=org.id,
        purposes=["Direct marketing"], legal_basis=["consent"], created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    db_session.add(source)
    db_session.flush()
    ingest_data_file(
        db_session, source, io.BytesIO(DUTCH_CSV), f"{slug}.csv", actor=SYSTEM, now=NOW
    )
    return source


def _discover_and_confirm(db_session, request):
    discover(db_session, request, actor=SYSTEM, now=NOW, key=KEY)
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ):
        decide_match(db_session, match, confirm=True, actor=SYSTEM, now=NOW)
    db_session.flush()


def test_working_days_skip_the_weekend_and_kings_day():
    cal = Policy().calendar
    # Friday 24 April 2026; Monday 27 April is Koningsdag.
    assert routing.add_working_days(date(2026, 4, 24), 1, cal) == date(2026, 4, 28)
    assert routing.add_working_days(date(2026, 4, 24), 3, cal) == date(2026, 4, 30)
    assert routing.add_working_days(date(2026, 4, 24), 0, cal) == date(2026, 4, 24)
    # Monday 4 May + 1: Tuesday 5 May is Bevrijdingsdag.
    assert routing.add_working_days(date(2026, 5, 4), 1, cal) == date(2026, 5, 6)


def test_forward_moves_a_controllers_request_and_names_the_controller(
    db_session, controller, make_request, make_user, policy
):
    officer = make_user(Role.OFFICER)
    r = make_request(organisation_id=controller.id, channel=Channel.EMAIL, requester=KEES)
    contacts = routing.forward(db_session, r, actor=Actor.user(officer.id), now=NOW, policy=policy)
    assert [c.email for c in contacts] == ["dpo@brood.example"]
    assert r.state is RequestState.FORWARDED and r.forwarded_at == NOW
    # Registered on Thursday 5 March: two working days later is Monday 9 March.
    assert r.forward_due == date(2026, 3, 9)
    event = db_session.scalars(
        select(AuditEvent)
        .where(AuditEvent.request_id == r.id, AuditEvent.action == "request.transition")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event.actor_id == officer.id
    assert event.data["to"] == "forwarded" and event.data["controller"] == "Bakkerij Brood B.V."
    assert event.data["controller_id"] == controller.id


def test_the_operators_own_request_is_not_forwarded(db_session, make_org, make_request, policy):
    operator = make_org(OrganisationKind.OPERATOR)
    r = make_request(organisation_id=operator.id, channel=Channel.EMAIL)
    with pytest.raises(ValidationFailed) as exc:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    assert exc.value.code == "not_a_controller"
    assert r.state is RequestState.OPEN and r.forwarded_at is None
    assert not routing.forward_view(db_session, r, NOW).shown


def test_a_controller_without_an_active_designated_contact_is_refused(
    db_session, make_org, make_user, make_request, policy
):
    org = make_org()
    make_user(Role.CONTROLLER, organisation=org)  # not designated
    gone = make_user(Role.CONTROLLER, organisation=org)
    gone.designated, gone.active = True, False
    r = make_request(organisation_id=org.id, channel=Channel.EMAIL)
    with pytest.raises(ValidationFailed) as exc:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    assert exc.value.code == "no_designated_contact"
    assert r.state is RequestState.OPEN
    view = routing.forward_view(db_session, r, NOW)
    assert view.blocked == "no_designated_contact" and view.contacts == []


@pytest.mark.parametrize(
    ("channel", "code"), [(Channel.WEB, "not_verified"), (Channel.EMAIL, "already_forwarded")]
)
def test_only_open_requests_forward(db_session, controller, make_request, policy, channel, code):
    r = make_request(organisation_id=controller.id, channel=channel)
    if channel is Channel.EMAIL:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    with pytest.raises(InvalidTransition) as exc:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    assert exc.value.code == code


def test_in_progress_and_awaiting_information_forward(db_session, controller, make_request, policy):
    for target in (RequestState.IN_PROGRESS, RequestState.AWAITING_INFORMATION):
        r = make_request(organisation_id=controller.id, channel=Channel.EMAIL)
        lifecycle.transition(db_session, r, target, actor=SYSTEM, now=NOW)
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
        assert r.state is RequestState.FORWARDED
    answered = make_request(organisation_id=controller.id, channel=Channel.EMAIL)
    lifecycle.transition(
        db_session, answered, RequestState.ANSWERED, actor=SYSTEM, now=NOW,
        outcome=Outcome.FULFILLED,
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        routing.forward(db_session, answered, actor=SYSTEM, now=NOW, policy=policy)


def test_a_dont_know_request_goes_to_the_one_controller_discovery_found(
    db_session, controller, make_org, make_request, policy
):
    _file_source(db_session, controller, "brood-mailing")
    r = make_request(channel=Channel.EMAIL, requester=KEES)  # organisation: "I don't know"
    with pytest.raises(ValidationFailed) as exc:  # candidates only: nothing confirmed yet
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    assert exc.value.code == "nothing_found"
    _discover_and_confirm(db_session, r)
    other = make_org()
    with pytest.raises(ValidationFailed) as exc:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy, organisation=other)
    assert exc.value.code == "found_elsewhere"
    routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy, organisation=controller)
    assert r.organisation_id == controller.id and r.state is RequestState.FORWARDED
    assert r.forward_due == date(2026, 3, 9)


def test_found_with_two_controllers_is_split_first_then_each_part_forwarded(
    db_session, controller, make_org, make_user, make_request, policy
):
    second = make_org(name="Slagerij Vlees B.V.")
    _designate(make_user, db_session, second, "privacy@vlees.example")
    _file_source(db_session, controller, "brood-list")
    _file_source(db_session, second, "vlees-list")
    r = make_request(channel=Channel.EMAIL, requester=KEES)
    _discover_and_confirm(db_session, r)
    with pytest.raises(ValidationFailed) as exc:
        routing.forward(db_session, r, actor=SYSTEM, now=NOW, policy=policy)
    assert exc.value.code == "split_first"
    assert routing.forward_view(db_session, r, NOW).blocked == "split_first"
    (part,) = casework.split(
        db_session, r, [controller, second], actor=SYSTEM, now=NOW, policy=policy
    )
    # Each part has its own target from the same verification day.
    assert r.forward_due == date(2026, 3, 9) and part.forward_due == date(2026, 3, 6)
    for each in (r, part):
        routing.forward(db_session, each, actor=SYSTEM, now=NOW, policy=policy)
    assert {r.organisation_id, part.organisation_id} == {controller.id, second.id}
    assert r.state is part.state is RequestState.FORWARDED


def test_forward_facts_show_the_target_and_the_controllers_deadline(
    db_session, controller, make_request, policy
):
    r = make_request(organisation_id=controller.id, channel=Channel.EMAIL)
    routing.set_forward_target(r, policy, on=date(2026, 3, 5))
    facts = routing.forward_facts(r, datetime(2026, 3, 9, 12, tzinfo=UTC))
    assert facts.target == date(2026, 3, 9) and not facts.overdue and facts.forwarded_at is None
    # The controller's deadline is the request's own, counted from the processor's receipt.
    assert facts.controller_due == r.effective_due == date(2026, 4, 7)
    assert routing.forward_facts(r, datetime(2026, 3, 10, 8, tzinfo=UTC)).overdue
    assert not routing.forward_facts(r).overdue  # no clock: not called overdue
    routing.forward(
        db_session, r, actor=SYSTEM, now=datetime(2026, 3, 10, 8, tzinfo=UTC), policy=policy
    )
    late = routing.forward_facts(r)
    assert late.overdue and late.forwarded_at is not None


def test_discovery_searches_only_the_organisations_own_sources(
    db_session, controller, make_org, make_request
):
    operator = make_org(OrganisationKind.OPERATOR)
    other = make_org()
    own = _file_source(db_session, controller, "own-list")
    theirs = _file_source(db_session, other, "their-list")
    mine = _file_source(db_session, operator, "operator-crm")
    about_x = make_request(organisation_id=controller.id, channel=Channel.EMAIL, requester=KEES)
    about_operator = make_request(
        organisation_id=operator.id, channel=Channel.EMAIL, requester=KEES
    )
    dont_know = make_request(channel=Channel.EMAIL, requester=KEES)

    def searched(request):
        discover(db_session, request, actor=SYSTEM, now=NOW, key=KEY)
        rows = db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
        return {m.source_id for m in rows if m.status is MatchStatus.CANDIDATE}

    assert searched(about_x) == {own.id}
    assert searched(about_operator) == {mine.id}
    assert searched(dont_know) >= {own.id, theirs.id, mine.id}
    assert theirs not in sources_in_scope(db_session, about_x)


def test_a_controllers_contact_does_not_forward(db_session, controller, make_request, policy):
    contact = db_session.scalar(select(User).where(User.email == "dpo@brood.example"))
    r = make_request(organisation_id=controller.id, channel=Channel.EMAIL)
    with pytest.raises(PermissionDenied) as exc:
        routing.forward(db_session, r, actor=Actor.user(contact.id), now=NOW, policy=policy)
    assert exc.value.code == "staff_only" and r.state is RequestState.OPEN
