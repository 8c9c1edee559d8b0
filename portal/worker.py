"""The background worker: sends outbox mail with retries and runs scheduled jobs.

Several workers may run at once (on PostgreSQL rows are claimed with SKIP LOCKED). Each
mail is claimed and committed before sending, so a crash never loses it: the lease expires
and another pass sends it again (at least once).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from flask import Flask
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.mail import deliver, render
from rights.db import now_utc
from rights.models.mail import MailStatus, OutboxMail
from rights.outbox import claim_due, mark_failed, mark_sent

log = logging.getLogger(__name__)

# Scheduled jobs: name -> function(app, session, now) -> count. Other parts register theirs.
JOBS: dict[str, Callable[[Flask, Session], int]] = {}


def _register_jobs() -> None:
    from portal.public.jobs import close_unverified_job

    JOBS.setdefault("close_unverified", close_unverified_job)


_register_jobs()


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0
    jobs: int = 0


BATCH = 20


def send_pending(app: Flask, limit: int = BATCH) -> PassResult:
    result = PassResult()
    db = get_db(app)
    with db.sessionmaker() as session:
        session.connection(execution_options={"sqlite_immediate": True})
        ids = [m.id for m in claim_due(session, now=now_utc(), limit=limit)]
        session.commit()
    for mail_id in ids:
        with db.sessionmaker() as session:
            mail = session.get(OutboxMail, mail_id)
            if mail is None or mail.status is not MailStatus.PENDING:
                continue  # another worker sent it after this one's lease ran out
            try:
                msg = render(session, mail)
                deliver(app, msg, mail.id)
            except Exception as exc:
                # The error class only: SMTP replies can echo addresses (no personal data).
                log.warning("mail %s failed: %s", mail_id, type(exc).__name__)
                mark_failed(mail, now=now_utc(), error=type(exc).__name__)
                result.failed += 1
            else:
                mark_sent(mail, now=now_utc(), message_id=str(msg["Message-ID"]))
                result.sent += 1
            session.commit()
    return result


def run_once(app: Flask) -> PassResult:
    with app.app_context():
        result = send_pending(app)
        for name, job in JOBS.items():
            with get_db(app).sessionmaker() as session:
                try:
                    result.jobs += job(app, session)
                    session.commit()
                except Exception:
                    session.rollback()
                    log.exception("job %s failed", name)
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


def purge_data_files(app: Flask, session: Session) -> int:
    """Scheduled: delete uploaded data files past their retention date (issue 7)."""
    from rights.sources.ingest import purge_expired_files

    return purge_expired_files(session, now=now_utc())


JOBS["purge_data_files"] = purge_data_files
