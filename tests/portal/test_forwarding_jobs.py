"""Forwards that wait for the controller (docs/controllers.md, "Forwarding"): a reminder to
the designated contacts after three working days, an escalation to the officers after five
or a week before the controller's deadline, each once; on a frozen clock across a weekend,
Koningsdag and Bevrijdingsdag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from operations import forwarding
from operations.jobs import JOBS
from portal.config import problems
from portal.mail import render
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.mail import OutboxMail
from rights.models.org import Role
from rights.models.request import Channel
from rights.requests import Requester
from tests.helpers import ops_context

SUBJECT = Requester(name="Kees Visser", email="kees@example.nl", phone="0612345678")
FORWARDED = datetime(2026, 4, 24, 10, 0, tzinfo=UTC)  # Friday; Monday 27 April is Koningsdag


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(app, db_session, make_org, make_user, make_request):
    org = make_org(name="Bakkerij Brood B.V.")
    contact = make_user(Role.CONTROLLER, organisation=org, email="dpo@brood.example")
    contact.designated = True
    make_user(Role.OFFICER, email="olga@desk.example")
    make_user(Role.ADMIN, email="anna@desk.example")
    make_user(Role.OFFICER, email="gone@desk.example").active = False
    db_session.commit()
    r = make_request(
        organisation_id=org.id,
        channel=Channel.EMAIL,
        requester=SUBJECT,
        received_at=datetime(2026, 4, 23, 9, 0, tzinfo=UTC),  # due late May
    )
    forwarding.forward_request(ops_context(app, db_session, None, FORWARDED), r)
    db_session.commit()
    return r


def run(app, db_session, now):
    count = JOBS["forward_reminders"](ops_context(app, db_session, None, now))
    db_session.commit()
    return count


def sent(db_session, request, template):
    rows = db_session.scalars(
        select(OutboxMail)
        .where(OutboxMail.request_id == request.id, OutboxMail.template == template)
        .order_by(OutboxMail.id)
    )
    return list(rows)


def test_reminder_after_three_working_days_and_escalation_after_five(app, db_session, world):
    r = world
    assert run(app, db_session, at(4, 27)) == 0  # three calendar days, but Koningsdag
    assert run(app, db_session, at(4, 29)) == 0  # Tuesday and Wednesday: two working days
    assert run(app, db_session, at(4, 30)) == 1  # Thursday: the third
    assert r.forward_reminded_at == at(4, 30) and r.forward_escalated_at is None
    assert run(app, db_session, at(4, 30)) == 0  # once
    assert run(app, db_session, at(5, 1)) == 0  # four
    assert run(app, db_session, at(5, 4)) == 2  # Monday: five; the two active staff
    assert run(app, db_session, at(5, 6)) == 0  # once (Tuesday 5 May was Bevrijdingsdag)
    (reminder,) = sent(db_session, r, "forward_reminder")
    assert reminder.to_addr == "dpo@brood.example"
    escalations = sent(db_session, r, "forward_escalation")
    assert {m.to_addr for m in escalations} == {"olga@desk.example", "anna@desk.example"}
    with app.app_context():
        reminder_text = render(db_session, reminder).get_content()
        escalation_text = render(db_session, escalations[0]).get_content()
    assert f"/controller/requests/{r.reference}" in reminder_text
    assert not [p for p in ("Kees", "kees@example.nl", "0612345678") if p in reminder_text]
    assert f"/staff/requests/{r.reference}" in escalation_text
    assert "Bakkerij Brood B.V." in escalation_text


def test_a_controller_decision_stops_the_reminders(app, db_session, world):
    r = world
    db_session.add(
        ControllerDecision(
            request_id=r.id,
            organisation_id=r.organisation_id,
            kind=DecisionKind.COMMENT,
            reason="we kijken ernaar",
            decided_at=at(4, 28),
        )
    )
    db_session.commit()
    assert run(app, db_session, at(5, 4)) == 0
    assert r.forward_reminded_at is None and r.forward_escalated_at is None


def test_escalation_at_once_when_the_controllers_deadline_is_a_week_away(
    app, db_session, make_org, make_user, make_request
):
    org = make_org()
    make_user(Role.CONTROLLER, organisation=org).designated = True
    make_user(Role.ADMIN)
    db_session.commit()
    # Received 31 March: due Thursday 30 April; forwarded late on Friday 24 April.
    r = make_request(
        organisation_id=org.id, channel=Channel.EMAIL, received_at=at(3, 31), now=at(3, 31)
    )
    forwarding.forward_request(ops_context(app, db_session, None, FORWARDED), r)
    db_session.commit()
    assert run(app, db_session, at(4, 28)) == 1  # one working day: no reminder yet
    assert r.forward_escalated_at == at(4, 28) and r.forward_reminded_at is None


def test_settings_change_the_schedule_and_are_checked(app, db_session, world):
    app.config["FORWARD_REMIND_DAYS"] = 1
    assert run(app, db_session, at(4, 28)) == 1  # Tuesday: the first working day
    assert not [p for p in problems(dict(app.config)) if "FORWARD" in p]
    bad = {"FORWARD_REMIND_DAYS": 0, "FORWARD_ESCALATE_DAYS": 5}
    assert "PORTAL_FORWARD_REMIND_DAYS must be a whole number of at least 1" in problems(bad)
    assert any("ESCALATE" in p for p in problems({"FORWARD_REMIND_DAYS": 6}))
