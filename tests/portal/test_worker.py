"""Outbox mail leaves through a real SMTP server, after commit, at least once, with retries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.worker import run_once
from rights.models.mail import MailStatus, OutboxMail
from rights.models.request import Channel
from rights.outbox import backoff, queue_mail
from tests.smtp import free_port, smtp_server


@pytest.fixture
def smtp_app(app):
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    return app


def _queue(db_session, make_request, language="nl"):
    # Registered by staff (open at once): the worker's auto-close job leaves it alone.
    req = make_request(language=language, channel=Channel.EMAIL)
    queue_mail(
        db_session,
        to=req.requester_email,
        template="acknowledgement",
        language=language,
        now=datetime.now(UTC),
        request_id=req.id,
    )
    db_session.commit()
    return req


def test_worker_sends_pending_mail_over_smtp(smtp_app, db_session, make_request):
    req = _queue(db_session, make_request, "en")
    with smtp_server() as inbox:
        smtp_app.config["SMTP_PORT"] = inbox.port
        result = run_once(smtp_app)
    assert result.sent == 1 and result.failed == 0
    [received] = inbox.messages
    assert received.envelope_to == ["eva@example.nl"]
    assert req.reference in received.message["Subject"]
    body = received.message.get_body().get_content()
    assert "/status/" in body and req.reference in body
    mail = db_session.query(OutboxMail).filter_by(request_id=req.id).one()
    db_session.refresh(mail)
    assert mail.status is MailStatus.SENT and mail.attempts == 1


def test_smtp_outage_keeps_the_mail_and_retries_later(smtp_app, db_session, make_request):
    req = _queue(db_session, make_request)
    smtp_app.config["SMTP_PORT"] = free_port()  # nobody listens
    result = run_once(smtp_app)
    assert result.failed == 1
    mail = db_session.query(OutboxMail).filter_by(request_id=req.id).one()
    db_session.refresh(mail)
    assert mail.status is MailStatus.PENDING and mail.attempts == 1
    assert mail.next_attempt_at > datetime.now(UTC)
    assert "example.nl" not in (mail.last_error or "")
    # The server comes back; once the backoff has passed the mail goes out.
    mail.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    with smtp_server() as inbox:
        smtp_app.config["SMTP_PORT"] = inbox.port
        assert run_once(smtp_app).sent == 1
    assert len(inbox.messages) == 1


def test_backoff_grows_and_is_capped():
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(2) == timedelta(seconds=60)
    assert backoff(30) == timedelta(hours=1)


def test_development_mode_writes_files_listed_for_staff(
    app, client, db_session, make_request, make_user, login
):
    req = _queue(db_session, make_request)
    assert run_once(app).sent == 1
    login(make_user())
    listing = client.get("/staff/dev-mail").get_data(as_text=True)
    # Recipient, subject and time (Amsterdam, zone named) in the list; the mail one click on.
    assert req.requester_email in listing and req.reference in listing
    assert re.search(r"\d{1,2} \w+\.? \d{4} \d\d:\d\d CES?T", listing)
    name = listing.split("/staff/dev-mail/")[1].split('"')[0]
    mail = client.get(f"/staff/dev-mail/{name}").get_data(as_text=True)
    assert req.reference in mail and '<pre class="mail-body">' in mail
    # The recipient column is not the date range's "To" ("Tot en met" in Dutch).
    assert ">Ontvanger<" in listing and ">Ontvanger<" in mail and "Tot en met" not in listing
    assert client.get("/staff/dev-mail/..%2Fdev-secrets.json").status_code == 404


def test_worker_survives_a_failed_pass(app, monkeypatch):
    """A locked database in one pass must not end the worker: the next pass runs."""
    import signal as signal_module

    from portal import worker

    calls = []

    def flaky(_app):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        raise KeyboardInterrupt  # ends the loop for the test

    monkeypatch.setattr(worker, "run_once", flaky)
    previous = (
        signal_module.getsignal(signal_module.SIGTERM),
        signal_module.getsignal(signal_module.SIGINT),
    )
    try:
        with pytest.raises(KeyboardInterrupt):
            worker.run_forever(app, poll_seconds=0.01)
    finally:
        signal_module.signal(signal_module.SIGTERM, previous[0])
        signal_module.signal(signal_module.SIGINT, previous[1])
    assert len(calls) == 2


def test_a_failing_job_is_rolled_back_and_the_others_still_run(app, db_session):
    from sqlalchemy import func, select

    from operations.jobs import JOBS
    from rights.models.org import Organisation, OrganisationKind

    def half_done_then_fails(ctx):
        ctx.session.add(
            Organisation(
                kind=OrganisationKind.CONTROLLER, name="Half", slug="half", created_at=ctx.now()
            )
        )
        ctx.session.flush()
        raise RuntimeError("job broke")

    def counts(ctx):
        return 2

    jobs = {"broken": half_done_then_fails, "fine": counts, **JOBS}
    assert run_once(app, jobs=jobs).jobs == 2
    assert db_session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_the_worker_runs_every_job_whatever_was_imported_before():
    """Only the worker module is imported (as `dsr-portal worker run --once` from cron would
    before the app is built): every job is still there, reminders and package purge too."""
    import subprocess
    import sys

    code = "import portal.worker as w, operations.jobs as j; print(sorted(j.JOBS))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(
        sorted(
            [
                "close_unverified",
                "purge_data_files",
                "purge_packages",
                "reminders",
                "finished_case_documents",
                "case_purge",
                "identity_unanswered",
                "forward_reminders",
                "audit_anchor_mail",
                "opendsr_callbacks",
                "incident_clocks",
            ]
        )
    )


def test_a_mail_sent_again_after_a_lost_sent_mark_has_the_same_message_id(
    smtp_app, db_session, make_request
):
    req = _queue(db_session, make_request)
    with smtp_server() as inbox:
        smtp_app.config["SMTP_PORT"] = inbox.port
        assert run_once(smtp_app).sent == 1
        # A crash between hand-over and the "sent" mark: the lease brings the mail back.
        mail = db_session.query(OutboxMail).filter_by(request_id=req.id).one()
        db_session.refresh(mail)
        mail.status = MailStatus.PENDING
        mail.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        db_session.commit()
        assert run_once(smtp_app).sent == 1
    first, second = (m.message["Message-ID"] for m in inbox.messages)
    assert first == second
    assert first.startswith(f"<dsr-outbox-{mail.id}.") and first.endswith("@portal.test>")


def test_a_lock_on_the_sent_mark_is_retried_without_sending_again(
    smtp_app, db_session, make_request, monkeypatch
):
    """The complaint: 17 mails delivered twice after `database is locked` on the mark."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from portal import worker

    req = _queue(db_session, make_request)
    real, calls = worker.mark_sent, []

    def locked_once(mail, **kwargs):
        calls.append(mail.id)
        if len(calls) == 1:
            raise OperationalError("UPDATE outbox_mail", {}, sqlite3.OperationalError("locked"))
        return real(mail, **kwargs)

    monkeypatch.setattr(worker, "mark_sent", locked_once)
    monkeypatch.setattr(worker, "MARK_RETRY_SECONDS", (0.0, 0.0))
    with smtp_server() as inbox:
        smtp_app.config["SMTP_PORT"] = inbox.port
        assert run_once(smtp_app).sent == 1
        assert run_once(smtp_app).sent == 0
    assert len(inbox.messages) == 1 and len(calls) == 2
    mail = db_session.query(OutboxMail).filter_by(request_id=req.id).one()
    db_session.refresh(mail)
    assert mail.status is MailStatus.SENT


def test_one_mail_failing_in_any_step_never_ends_the_pass(
    smtp_app, db_session, make_request, monkeypatch
):
    from portal import worker

    first, second = _queue(db_session, make_request), _queue(db_session, make_request)
    real = worker._send_one

    def broken_for_the_first(app, mail_id):
        mail = db_session.get(OutboxMail, mail_id)
        if mail is not None and mail.request_id == first.id:
            raise RuntimeError("the database went away")
        return real(app, mail_id)

    monkeypatch.setattr(worker, "_send_one", broken_for_the_first)
    with smtp_server() as inbox:
        smtp_app.config["SMTP_PORT"] = inbox.port
        assert run_once(smtp_app).sent == 1
    assert [m.envelope_to for m in inbox.messages] == [[second.requester_email]]


def test_a_mail_whose_lease_ran_out_goes_before_newer_ones(db_session):
    from rights.outbox import CLAIM_LEASE, claim_due

    now = datetime.now(UTC)
    old = queue_mail(db_session, to="a@example.nl", template="acknowledgement", language="nl",
                     now=now - timedelta(minutes=10))  # fmt: skip
    old.next_attempt_at = now - timedelta(seconds=1)  # its lease ran out just now
    newer = [
        queue_mail(
            db_session,
            to=f"n{i}@example.nl",
            template="acknowledgement",
            language="nl",
            now=now - timedelta(minutes=9 - i),
        )
        for i in range(3)
    ]
    db_session.flush()
    claimed = claim_due(db_session, now=now, limit=1)
    assert [m.id for m in claimed] == [old.id]
    assert claimed[0].next_attempt_at == now + CLAIM_LEASE
    assert all(m.id != old.id for m in newer)
