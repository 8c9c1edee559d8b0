"""The incident clocks' reminder before and escalation after the deadline, each once, on a
frozen clock, through the worker's job registry (docs/incidents.md, "The clocks")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from operations.jobs import JOBS
from portal.mail import render
from rights import audit
from rights.audit import SYSTEM
from rights.incidents import register
from rights.incidents.clocks import add_controller
from rights.incidents.register import Facts
from rights.models.audit import AuditEvent
from rights.models.incident import Incident, Risk
from rights.models.mail import OutboxMail
from rights.models.org import Organisation, Role, User
from tests.helpers import ops_context

DISCOVERED = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
SECRET = "Piet Pieters"


def _world(
    db_session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> tuple[Incident, list[User]]:
    officer = make_user(Role.OFFICER, email="officer@op.example")
    admin = make_user(Role.ADMIN, email="admin@op.example")
    admin.language = "en"
    make_user(Role.OFFICER, email="gone@op.example").active = False
    org = make_org(name="MediaCenter", breach_notice_hours=18)
    incident = register.record(
        db_session,
        Facts(
            title=f"File of {SECRET} lost",
            discovered_at=DISCOVERED,
            description=SECRET,
            own_data=True,
        ),
        actor=SYSTEM,
        now=DISCOVERED,
    )
    register.assess(
        db_session,
        incident,
        is_breach=True,
        risk=Risk.RISK,
        risk_reasons=SECRET,
        actor=SYSTEM,
        now=DISCOVERED,
    )
    add_controller(db_session, incident, org, actor=SYSTEM, now=DISCOVERED)
    db_session.commit()
    return incident, [officer, admin]


def _run(app: Flask, db_session: Session, at: datetime) -> int:
    count = JOBS["incident_clocks"](ops_context(app, db_session, now=at))
    db_session.commit()
    return count


def _mails(db_session: Session) -> list[OutboxMail]:
    return list(db_session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def _text(app: Flask, db_session: Session, mail: OutboxMail) -> str:
    with app.app_context():
        msg = render(db_session, mail)
    return str(msg["Subject"]) + "\n" + msg.get_content()


def test_reminder_before_and_escalation_after_each_once(
    app: Flask, db_session: Session, make_org: Any, make_user: Any
) -> None:
    incident, staff = _world(db_session, make_org, make_user)
    due = DISCOVERED + timedelta(hours=18)
    assert _run(app, db_session, due - timedelta(hours=6, minutes=1)) == 0
    assert _run(app, db_session, due - timedelta(hours=6)) == 2  # the officer and the admin
    assert _run(app, db_session, due - timedelta(hours=1)) == 0  # once
    reminders = _mails(db_session)
    assert sorted(m.to_addr for m in reminders) == sorted(u.email for u in staff)
    assert {m.template for m in reminders} == {"incident_clock_reminder"}
    (row,) = incident.controllers
    assert row.reminded_at == due - timedelta(hours=6) and row.escalated_at is None

    assert _run(app, db_session, due + timedelta(minutes=1)) == 2
    assert _run(app, db_session, due + timedelta(hours=3)) == 0
    escalations = [m for m in _mails(db_session) if m.template == "incident_clock_escalation"]
    assert len(escalations) == 2
    assert row.escalated_at == due + timedelta(minutes=1)

    nl = _text(app, db_session, next(m for m in escalations if m.language == "nl"))
    en = _text(app, db_session, next(m for m in escalations if m.language == "en"))
    assert incident.reference in nl and f"/staff/incidents/{incident.id}" in nl
    assert "MediaCenter" in en and "6 Mar 2026 03:00 CET" in en and "Escalation" in en
    assert SECRET not in nl + en
    audit.write_pending(db_session)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("incident.clock_%"))
    ).all()
    assert actions.count("incident.clock_reminded") == 1
    assert actions.count("incident.clock_escalated") == 1


def test_the_ap_clock_reminds_and_a_notice_stops_the_controller_clock(
    app: Flask, db_session: Session, make_org: Any, make_user: Any
) -> None:
    incident, _ = _world(db_session, make_org, make_user)
    (row,) = incident.controllers
    row.notified_at = DISCOVERED + timedelta(hours=2)
    db_session.commit()
    ap_due = DISCOVERED + timedelta(hours=72)
    assert _run(app, db_session, DISCOVERED + timedelta(hours=20)) == 0  # notice sent in time
    assert _run(app, db_session, ap_due - timedelta(hours=2)) == 2
    assert incident.ap_reminded_at == ap_due - timedelta(hours=2)
    mail = _mails(db_session)[-1]
    assert "Autoriteit Persoonsgegevens" in _text(app, db_session, mail)
    incident.ap_notified_at = ap_due - timedelta(hours=1)
    db_session.commit()
    assert _run(app, db_session, ap_due + timedelta(hours=1)) == 0


def test_the_reminder_window_comes_from_config(
    app: Flask, db_session: Session, make_org: Any, make_user: Any
) -> None:
    _world(db_session, make_org, make_user)
    app.config["INCIDENT_REMIND_HOURS"] = 12
    due = DISCOVERED + timedelta(hours=18)
    assert _run(app, db_session, due - timedelta(hours=12)) == 2
