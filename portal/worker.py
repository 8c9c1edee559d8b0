"""The background worker: sends outbox mail with retries and runs scheduled jobs.

Several workers may run at once (on PostgreSQL rows are claimed with SKIP LOCKED). Each
mail is claimed and committed before sending, so a crash never loses it: the lease expires
and another pass sends it again (at least once).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import FrameType

from flask import Flask
from sqlalchemy.exc import OperationalError

from operations.jobs import JOBS, Job
from portal.clock import now
from portal.context import context_for
from portal.db import get_db
from portal.mail import deliver, render
from rights.models.mail import MailStatus, OutboxMail
from rights.outbox import claim_due, mark_failed, mark_sent

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0
    jobs: int = 0


BATCH = 20


# After a successful hand-over the "sent" mark is retried on a lock, never the sending:
# a lost mark would mean the same mail again after the lease (docs/operations.md, "Mail").
MARK_RETRY_SECONDS = (0.1, 0.3, 1.0, 2.0, 4.0)


def send_pending(app: Flask, limit: int = BATCH) -> PassResult:
    """Claim a batch, then send each mail and mark it; one mail failing in any way is
    logged and never ends the pass."""
    result = PassResult()
    db = get_db(app)
    with db.sessionmaker() as session:
        session.connection(execution_options={"sqlite_immediate": True})
        ids = [m.id for m in claim_due(session, now=now(app), limit=limit)]
        session.commit()
    for mail_id in ids:
        try:
            outcome = _send_one(app, mail_id)
        except Exception as exc:
            # The lease brings the mail back; the error class only (no personal data).
            log.warning("mail %s: pass step failed: %s", mail_id, type(exc).__name__)
            continue
        if outcome == "sent":
            result.sent += 1
        elif outcome == "failed":
            result.failed += 1
    return result


def _send_one(app: Flask, mail_id: int) -> str:
    with get_db(app).sessionmaker() as session:
        mail = session.get(OutboxMail, mail_id)
        if mail is None or mail.status is not MailStatus.PENDING:
            return "skipped"  # another worker sent it after this one's lease ran out
        try:
            msg = render(session, mail)
            deliver(app, msg, mail.id)
        except Exception as exc:
            # The error class only: SMTP replies can echo addresses (no personal data).
            log.warning("mail %s failed: %s", mail_id, type(exc).__name__)
            mark_failed(mail, now=now(app), error=type(exc).__name__)
            session.commit()
            return "failed"
    _mark_sent(app, mail_id, str(msg["Message-ID"]))
    return "sent"


def _mark_sent(app: Flask, mail_id: int, message_id: str) -> None:
    """Mark a handed-over mail sent in its own short write transaction, retrying on a
    locked or lost database without sending again."""
    for pause in (*MARK_RETRY_SECONDS, None):
        try:
            with get_db(app).sessionmaker() as session:
                session.connection(execution_options={"sqlite_immediate": True})
                mail = session.get(OutboxMail, mail_id)
                if mail is not None and mail.status is MailStatus.PENDING:
                    mark_sent(mail, now=now(app), message_id=message_id)
                session.commit()
                return
        except OperationalError as exc:
            if pause is None:
                log.error("mail %s sent but not marked: %s", mail_id, type(exc).__name__)
                raise
            time.sleep(pause)


def run_jobs(app: Flask, jobs: Mapping[str, Job] = JOBS) -> int:
    """Every job once, each with its own session and Context, committed on its own: one
    job failing is logged and rolled back and never stops the others."""
    done = 0
    for name, job in jobs.items():
        with get_db(app).sessionmaker() as session:
            try:
                done += job(context_for(app, session))
                session.commit()
            except Exception:
                session.rollback()
                log.exception("job %s failed", name)
    return done


def run_once(app: Flask, jobs: Mapping[str, Job] = JOBS) -> PassResult:
    with app.app_context():
        result = send_pending(app)
        result.jobs += run_jobs(app, jobs)
        return result


def run_forever(app: Flask, poll_seconds: float | None = None) -> None:
    stop = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    poll = poll_seconds or float(app.config["WORKER_POLL_SECONDS"])
    log.info("worker started")
    while not stop:
        try:
            result = run_once(app)
        except Exception:
            # A locked database or a lost connection must not end the worker: the next
            # pass tries again, and unsent mail stays in the outbox.
            log.exception("worker pass failed")
            result = PassResult()
        if result.sent or result.failed:
            log.info("worker pass: %s sent, %s failed", result.sent, result.failed)
        if result.sent + result.failed >= BATCH:
            continue  # more may be waiting: drain the outbox before sleeping
        for _ in range(int(poll * 10)):
            if stop:
                break
            time.sleep(0.1)
    log.info("worker stopped")
