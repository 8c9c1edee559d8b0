"""``dsr-portal organisation``: the organisations and their designated contacts from the
command line (docs/controllers.md, "Organisations as controllers")."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import clock
from portal.contract_cli import organisation_group
from portal.db import get_db
from rights import organisations
from rights.audit import SYSTEM
from rights.errors import ValidationFailed
from rights.users import find_user, set_designated

__all__ = ["organisation_group"]  # the group of portal.contract_cli, with these commands


@organisation_group.command("list")
@with_appcontext
def list_command() -> None:
    """One slug per line, the operator first."""
    with get_db().sessionmaker() as session:
        for org in organisations.all_organisations(session):
            click.echo(org.slug)


@organisation_group.command("designate")
@click.option("--email", required=True, help="the controller contact's login e-mail")
@click.option("--off", is_flag=True, help="take the designation away")
@with_appcontext
def designate_command(email: str, off: bool) -> None:
    """Make a controller contact a designated contact (audited; the contact is mailed)."""
    with get_db().sessionmaker() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no account {email}")
        try:
            changed = set_designated(session, user, not off, now=clock.now(), actor=SYSTEM)
        except ValidationFailed as exc:
            raise click.ClickException(f"{email} is not a controller contact") from exc
        session.commit()
        state = "no longer designated" if off else "designated"
    click.echo(f"{email}: {state}" + ("" if changed else " (unchanged)"))
