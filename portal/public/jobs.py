"""Scheduled work for the public side: close requests whose address was never confirmed."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal.db import get_db
from rights.db import now_utc
from rights.intake import close_unverified


def close_unverified_job(app: Flask, session: Session) -> int:
    """Worker job: requests unverified after PORTAL_UNVERIFIED_AUTO_CLOSE_DAYS close with a
    notice mail (the worker commits)."""
    from portal.cli import policy_from

    return close_unverified(session, now=now_utc(), policy=policy_from(app))


@click.command("close-unverified")
@with_appcontext
def close_unverified_command() -> None:
    """Close web requests whose e-mail address was not confirmed in time (also run by the
    worker on every pass)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        count = close_unverified_job(app, session)
        session.commit()
    click.echo(f"closed {count} unconfirmed request(s)")
