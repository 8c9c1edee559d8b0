"""``dsr-portal cases``: case retention from the command line, and the same work as worker
jobs (docs/legal.md, "Case retention")."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from operations import cases
from portal.context import context_for
from portal.db import get_db


@click.group("cases")
def cases_group() -> None:
    """Case retention."""


@cases_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would be removed; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Remove the personal data of cases finished more than PORTAL_CASE_RETENTION_DAYS ago
    (also run by the worker); the figures stay."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        ctx = context_for(app, session)
        documents = 0 if dry_run else cases.delete_finished_case_documents(ctx)
        report = cases.purge_cases(ctx, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    verb = "would purge" if dry_run else "purged"
    counts = ", ".join(f"{k} {v}" for k, v in report.as_dict().items() if k != "requests")
    click.echo(f"{verb} {report.requests} case(s): {counts}")
    if not dry_run:
        click.echo(f"deleted {documents} identity document(s) of finished cases")
