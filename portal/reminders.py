"""``dsr-portal reminders send``: the reminder digests from the command line (for cron).
The worker sends them too, once a day after the reminder hour (``operations.jobs``)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from portal import clock
from portal.db import get_db
from rights.reminders import send_reminders


@click.group("reminders")
def reminders_group() -> None:
    """Deadline reminders for officers and escalations to admins."""


@reminders_group.command("send")
@click.option("--now", "at", default=None, help="ISO instant with offset (testing, replays)")
@click.option("--force", is_flag=True, help="send even if today's reminders went out")
@with_appcontext
def reminders_send(at: str | None, force: bool) -> None:
    """Queue today's digest and escalation mails (the worker sends them)."""
    now = clock.now()
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
