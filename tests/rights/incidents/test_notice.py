"""The notice to controllers (docs/incidents.md, "Notice to controllers"): the controllers
follow from the sources and files involved, only they are told, through their designated
contacts, with mails that carry no details; acknowledgement, follow-ups, questions and
answers are recorded and audited with ids only; notes never reach a controller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rights import audit
from rights.audit import SYSTEM, Actor
from rights.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rights.incidents import affected, exchange, notice
from rights.models.audit import AuditEvent
from rights.models.incident import IncidentState, IncidentUpdate, UpdateKind
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role
from rights.readmodels.incidents import controller_incidents, visible_updates
from tests.rights.incidents.factory import file_source, make_incident


@pytest.fixture
def two(db_session, make_org, make_user, now):
    """Controllers A (18 h, one designated contact and a reader) and B (24 h), the operator
    with its own source, and an incident in A's file and the operator's source."""
    operator = make_org(OrganisationKind.OPERATOR, name="Operator")
    a = make_org(name="Alfa", breach_notice_hours=18, contact_email="privacy@alfa.example")
    b = make_org(name="Beta", contact_email="privacy@beta.example")
    contact = make_user(
        Role.CONTROLLER, organisation=a, name="Anna Alfa", email="anna@alfa.example"
    )
    contact.designated = True
    reader = make_user(Role.CONTROLLER, organisation=a, name="Rob Alfa", email="rob@alfa.example")
    b_contact = make_user(Role.CONTROLLER, organisation=b, name="Bea", email="bea@beta.example")
    b_contact.designated = True
    a_file = file_source(db_session, a, now)
    b_file = file_source(db_session, b, now)
    own = file_source(db_session, operator, now)
    incident = make_incident(db_session, now, data_file_ids=[a_file.id], source_ids=[own.source_id])
    db_session.commit()
    return {
        "a": a, "b": b, "operator": operator, "contact": contact, "reader": reader,
        "b_contact": b_contact, "incident": incident, "b_file": b_file,
    }  # fmt: skip


def _mails(db_session):
    return db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def _events(db_session, action):
    audit.write_pending(db_session)
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _confirm(db_session, w, now, ids=None):
    return affected.confirm(
        db_session, w["incident"], ids or [w["a"].id], own_data=True, actor=SYSTEM, now=now
    )


def test_the_proposal_follows_from_the_files_and_sources_involved(db_session, two):
    proposal = affected.propose(db_session, two["incident"])
    assert [o.name for o in proposal.controllers] == ["Alfa"]
    assert proposal.own_data is True
    two["incident"].data_file_ids = [two["b_file"].id]
    two["incident"].source_ids = []
    proposal = affected.propose(db_session, two["incident"])
    assert [o.name for o in proposal.controllers] == ["Beta"] and not proposal.own_data


def test_confirming_starts_each_controllers_clock_in_its_own_hours(db_session, two, now):
    rows = _confirm(db_session, two, now, [two["a"].id, two["b"].id])
    by_org = {r.organisation_id: r for r in rows}
    incident = two["incident"]
    assert by_org[two["a"].id].notice_hours == 18
    assert by_org[two["a"].id].notice_due == incident.discovered_at + timedelta(hours=18)
    assert by_org[two["b"].id].notice_due == incident.discovered_at + timedelta(hours=24)
    assert all(r.confirmed for r in rows) and incident.own_data
    (event,) = _events(db_session, "incident.controllers_confirmed")
    assert event.data == {
        "organisation_ids": sorted([two["a"].id, two["b"].id]),
        "removed": [],
        "own_data": True,
    }
    # Taking B off again, before it was told, removes its row.
    _confirm(db_session, two, now, [two["a"].id])
    assert [r.organisation_id for r in incident.controllers] == [two["a"].id]


def test_only_controllers_can_be_confirmed(db_session, two, now):
    with pytest.raises(ValidationFailed) as err:
        _confirm(db_session, two, now, [two["operator"].id])
    assert err.value.code == "not_a_controller"


def test_the_notice_goes_only_to_the_designated_contacts_of_confirmed_controllers(
    db_session, two, now
):
    _confirm(db_session, two, now)
    told = notice.send_notice(db_session, two["incident"], actor=Actor.user(1), now=now)
    assert [r.organisation_id for r in told] == [two["a"].id]
    mails = _mails(db_session)
    assert [(m.to_addr, m.template) for m in mails] == [("anna@alfa.example", "incident_notice")]
    assert mails[0].context == {"incident_id": two["incident"].id, "organisation_id": two["a"].id}
    assert told[0].notified_at == now
    assert two["incident"].state is IncidentState.NOTIFIED
    (event,) = _events(db_session, "incident.notice_sent")
    assert event.data == {"organisation_id": two["a"].id, "recipients": 1, "within_hours": True}
    with pytest.raises(ValidationFailed):  # everybody told
        notice.send_notice(db_session, two["incident"], actor=SYSTEM, now=now)
    with pytest.raises(Conflict):  # a told controller stays on the list
        _confirm(db_session, two, now, [two["b"].id])


def test_the_notice_goes_again_to_one_controller_told_and_keeps_the_first_time(
    db_session, two, now
):
    """A contact who lost the mail gets it again; the first notice's time (and so whether
    it was within the hours) stays; a controller not told yet has nothing to send again."""
    _confirm(db_session, two, now, [two["a"].id, two["b"].id])
    with pytest.raises(Conflict) as nothing:
        notice.resend_notice(db_session, two["incident"], two["a"].id, actor=SYSTEM, now=now)
    assert nothing.value.code == "nothing_to_resend" and _mails(db_session) == []
    notice.send_notice(
        db_session, two["incident"], actor=SYSTEM, now=now, organisation_id=two["a"].id
    )
    later = now + timedelta(hours=30)  # past Alfa's 18 hours
    resent = notice.resend_notice(
        db_session, two["incident"], two["a"].id, actor=Actor.user(1), now=later
    )
    assert (resent.organisation, resent.addresses, resent.at) == (
        two["a"],
        ["anna@alfa.example"],
        later,
    )
    mails = [(m.to_addr, m.template) for m in _mails(db_session)]
    assert mails == [("anna@alfa.example", "incident_notice")] * 2
    row = next(r for r in two["incident"].controllers if r.organisation_id == two["a"].id)
    assert row.notified_at == now
    (event,) = _events(db_session, "incident.notice_resent")
    assert event.data == {
        "organisation_id": two["a"].id, "recipients": 1, "contact_ids": [two["contact"].id]
    }  # fmt: skip
    assert event.actor_id == 1
    with pytest.raises(ValidationFailed):  # sending "the notice" again tells only the untold
        notice.send_notice(
            db_session, two["incident"], actor=SYSTEM, now=later, organisation_id=two["a"].id
        )
    with pytest.raises(NotFound):  # not a controller of this incident
        notice.resend_notice(
            db_session, two["incident"], two["operator"].id, actor=SYSTEM, now=later
        )
    two["incident"].state = IncidentState.CLOSED
    with pytest.raises(Conflict):
        notice.resend_notice(db_session, two["incident"], two["a"].id, actor=SYSTEM, now=later)
    assert len(_mails(db_session)) == 2


def test_without_designated_contacts_the_organisations_address_is_used(db_session, two, now):
    two["b_contact"].designated = False
    _confirm(db_session, two, now, [two["b"].id])
    notice.send_notice(db_session, two["incident"], actor=SYSTEM, now=now)
    assert [m.to_addr for m in _mails(db_session)] == ["privacy@beta.example"]


def test_a_notice_before_the_assessment_keeps_the_state(db_session, two, now):
    two["incident"].state = IncidentState.REPORTED
    _confirm(db_session, two, now)
    notice.send_notice(db_session, two["incident"], actor=SYSTEM, now=now)
    assert two["incident"].state is IncidentState.REPORTED


def test_acknowledgement_by_a_designated_contact_only(db_session, two, now):
    _confirm(db_session, two, now)
    incident = two["incident"]
    with pytest.raises(NotFound):  # not told yet: nothing to acknowledge
        exchange.acknowledge(db_session, incident, two["contact"], now=now)
    notice.send_notice(db_session, incident, actor=SYSTEM, now=now)
    with pytest.raises(PermissionDenied):
        exchange.acknowledge(db_session, incident, two["reader"], now=now)
    with pytest.raises(NotFound):
        exchange.acknowledge(db_session, incident, two["b_contact"], now=now)
    later = now + timedelta(hours=1)
    row = exchange.acknowledge(db_session, incident, two["contact"], now=later)
    assert (row.acknowledged_at, row.acknowledged_by_id) == (later, two["contact"].id)
    with pytest.raises(Conflict):
        exchange.acknowledge(db_session, incident, two["contact"], now=later)
    (event,) = _events(db_session, "incident.acknowledged")
    assert event.actor_id == two["contact"].id
    assert event.data == {"organisation_id": two["a"].id, "within_hours": True}


def test_follow_ups_questions_and_answers_are_recorded_and_notes_stay_internal(
    db_session, two, now, make_user
):
    officer = make_user(Role.OFFICER, email="officer@operator.example")
    incident = two["incident"]
    _confirm(db_session, two, now, [two["a"].id, two["b"].id])
    with pytest.raises(ValidationFailed):  # nobody told yet
        notice.follow_up(db_session, incident, "More", actor=SYSTEM, now=now)
    notice.send_notice(db_session, incident, actor=SYSTEM, now=now)
    everyone = notice.follow_up(db_session, incident, "Printer confirmed", actor=SYSTEM, now=now)
    only_b = notice.follow_up(
        db_session, incident, "For Beta only", actor=SYSTEM, now=now, organisation_id=two["b"].id
    )
    question = exchange.ask(db_session, incident, two["reader"], "Which columns?", now=now)
    reply = exchange.answer(
        db_session, incident, two["a"].id, "Name and address", actor=Actor.user(officer.id),
        now=now,
    )  # fmt: skip
    note = IncidentUpdate(
        incident_id=incident.id, kind=UpdateKind.NOTE, body="Internal: blame the printer",
        created_at=now,
    )  # fmt: skip
    db_session.add(note)
    db_session.flush()
    seen_by_a = visible_updates(db_session, incident.id, two["a"].id)
    assert [u.id for u in seen_by_a] == [everyone.id, question.id, reply.id]
    seen_by_b = visible_updates(db_session, incident.id, two["b"].id)
    assert [u.id for u in seen_by_b] == [everyone.id, only_b.id]
    templates = [(m.to_addr, m.template) for m in _mails(db_session)]
    assert ("officer@operator.example", "incident_question") in templates
    assert ("anna@alfa.example", "incident_answer") in templates
    assert ("bea@beta.example", "incident_answer") not in templates
    assert templates.count(("bea@beta.example", "incident_follow_up")) == 2
    assert templates.count(("anna@alfa.example", "incident_follow_up")) == 1
    for action in ("follow_up_sent", "question_asked", "answer_sent"):
        for event in _events(db_session, f"incident.{action}"):
            assert set(event.data) <= {
                "update_id", "organisation_id", "controllers", "recipients"
            }  # fmt: skip
    with pytest.raises(ValidationFailed):
        exchange.ask(db_session, incident, two["reader"], "   ", now=now)


def test_a_controller_lists_only_incidents_it_was_told_of(db_session, two, now):
    _confirm(db_session, two, now, [two["a"].id, two["b"].id])
    notice.send_notice(
        db_session, two["incident"], actor=SYSTEM, now=now, organisation_id=two["a"].id
    )
    other = make_incident(db_session, now, reference="INC-OTHER")
    affected.confirm(db_session, other, [two["b"].id], own_data=False, actor=SYSTEM, now=now)
    notice.send_notice(db_session, other, actor=SYSTEM, now=now)
    assert [r.incident.id for r in controller_incidents(db_session, two["a"].id)] == [
        two["incident"].id
    ]
    assert [r.incident.id for r in controller_incidents(db_session, two["b"].id)] == [other.id]
