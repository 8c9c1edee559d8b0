"""Reminder digests from the worker (once a day, after ``REMINDER_HOUR`` Amsterdam time) and
from the command line (``dsr-portal reminders send`` for cron)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.worker import JOBS
from rights.db import now_utc
from rights.deadlines import AMSTERDAM
from rights.reminders import send_reminders

REMINDER_HOUR = 7


def reminders_job(app: Flask, session: Session) -> int:
    now = now_utc()
    if now.astimezone(AMSTERDAM).hour < int(app.config.get("REMINDER_HOUR", REMINDER_HOUR)):
        return 0
    return send_reminders(session, now=now)


JOBS["reminders"] = reminders_job


@click.group("reminders")
def reminders_group() -> None:
    """Deadline reminders for officers and escalations to admins."""


@reminders_group.command("send")
@click.option("--now", "at", default=None, help="ISO instant with offset (testing, replays)")
@click.option("--force", is_flag=True, help="send even if today's reminders went out")
@with_appcontext
def reminders_send(at: str | None, force: bool) -> None:
    """Queue today's digest and escalation mails (the worker sends them)."""
    now = now_utc()
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("use an ISO instant such as 2026-11-24T08:00+01:00") from None
        if now.tzinfo is None:
            raise click.BadParameter("give a time zone offset")
    with get_db().sessionmaker() as session:
        count = send_reminders(session, now=now, force=force)
        session.commit()
    click.echo(f"queued {count} reminder mails")
