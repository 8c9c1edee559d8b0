"""Reminder digest and escalation for a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.mail import render
from rights import requests as ops
from rights.audit import SYSTEM
from rights.models.mail import OutboxMail
from rights.models.org import Role
from rights.models.request import Channel
from rights.reminders import build_digest, send_reminders
from tests.glossary import assert_in_words

NOW = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)  # Monday 15 June 2026, 08:00 Amsterdam


def _world(make_request, make_user, db_session, policy):
    officer = make_user(Role.OFFICER, email="olga@desk.example")
    admin = make_user(Role.ADMIN, email="anna@desk.example")
    make_user(Role.OFFICER, email="gone@desk.example").active = False
    r = {}
    # received 1 May -> due Mon 1 June: overdue by 14 days
    r["overdue"] = make_request(
        received_at=datetime(2026, 5, 1, 9, tzinfo=UTC), channel=Channel.EMAIL
    )
    # received 18 May -> due Thu 18 June: due soon, and the last days to extend
    r["soon"] = make_request(
        received_at=datetime(2026, 5, 18, 9, tzinfo=UTC), channel=Channel.EMAIL
    )
    r["soon"].assignee_id = officer.id
    # received 10 June -> due 10 July: nothing to say, except the subject is silent
    r["quiet"] = make_request(
        received_at=datetime(2026, 6, 1, 9, tzinfo=UTC), channel=Channel.EMAIL
    )
    ops.suspend(
        db_session,
        r["quiet"],
        "identity",
        "?",
        actor=SYSTEM,
        now=datetime(2026, 6, 2, 9, tzinfo=UTC),
        policy=policy,
    )
    # received 14 June: nothing at all
    r["fresh"] = make_request(
        received_at=datetime(2026, 6, 14, 9, tzinfo=UTC), channel=Channel.EMAIL
    )
    db_session.commit()
    return officer, admin, r


def test_digest_sections_for_a_frozen_clock(make_request, make_user, db_session, policy):
    _, _, r = _world(make_request, make_user, db_session, policy)
    d = build_digest(db_session, now=NOW)
    assert [x.reference for x in d.overdue] == [r["overdue"].reference]
    assert [x.reference for x in d.due_soon] == [r["soon"].reference]
    assert [x.reference for x in d.extension_closing] == [r["soon"].reference]
    assert [x.reference for x in d.not_answering] == [r["quiet"].reference]


def test_digest_and_escalation_mails(app, make_request, make_user, db_session, policy):
    _officer, _admin, r = _world(make_request, make_user, db_session, policy)
    assert send_reminders(db_session, now=NOW) == 3  # 2 active staff digests + 1 escalation
    assert send_reminders(db_session, now=NOW + timedelta(hours=3)) == 0  # once a day
    db_session.commit()
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.template.like("staff_%"))).all()
    by = {(m.to_addr, m.template): m for m in mails}
    assert set(by) == {
        ("olga@desk.example", "staff_digest"),
        ("anna@desk.example", "staff_digest"),
        ("anna@desk.example", "staff_escalation"),
    }
    with app.app_context():
        digest = render(db_session, by[("olga@desk.example", "staff_digest")]).get_content()
        escalation = render(db_session, by[("anna@desk.example", "staff_escalation")])
    # In words: the right's name and the dates as a Dutch reader writes them (issue 14).
    assert "maandag 15 juni 2026" in digest and "2026-06" not in digest
    assert (
        f"{r['overdue'].reference} (Inzage) vervalt maandag 1 juni 2026 · 14 dagen TE LAAT"
        in digest
    )
    assert (
        f"{r['soon'].reference} (Inzage) vervalt donderdag 18 juni 2026 · 3 dagen over · van u"
        in digest
    )
    assert r["quiet"].reference in digest and r["fresh"].reference not in digest
    assert "Eva" not in digest and "eva@example.nl" not in digest  # no personal data
    assert_in_words(digest, "nl", where="staff digest", html=False)
    assert "1 privacyverzoek is te laat" in escalation["Subject"]
    assert r["overdue"].reference in escalation.get_content()
    assert r["soon"].reference not in escalation.get_content()


def test_cli_command_with_frozen_now(app, make_request, make_user, db_session, policy):
    _world(make_request, make_user, db_session, policy)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--now", "2026-06-15T08:00+02:00"])
    assert result.exit_code == 0, result.output
    assert "queued 3 reminder mails" in result.output
    assert runner.invoke(args=["reminders", "send", "--now", "2026-06-15"]).exit_code != 0


def test_worker_job_waits_for_the_hour(
    app, make_request, make_user, db_session, policy, monkeypatch
):
    from operations.jobs import JOBS
    from portal.context import context_for

    _world(make_request, make_user, db_session, policy)
    monkeypatch.setitem(app.config, "CLOCK", lambda: datetime(2026, 6, 15, 3, 0, tzinfo=UTC))
    assert JOBS["reminders"](context_for(app, db_session)) == 0
    monkeypatch.setitem(app.config, "CLOCK", lambda: NOW)
    assert JOBS["reminders"](context_for(app, db_session)) == 3
