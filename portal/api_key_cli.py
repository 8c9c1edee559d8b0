"""``dsr-portal api-key``: make and revoke a controller's API keys from the command line
(docs/api.md, "Keys"). ``create`` prints the key alone on its last line; errors are in
words with exit code 2."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal import clock
from portal.db import get_db
from rights import organisations
from rights.audit import SYSTEM
from rights.errors import DomainError, NotFound
from rights.models.org import Organisation
from rights.opendsr import keys

REFUSALS = {
    "not_controller": "API keys are for controller organisations only",
    "ended": "the contract with this controller has ended",
    "prefix_length": "give the first 8 characters of the key",
}


def _refuse(exc: DomainError, fallback: str) -> click.UsageError:
    return click.UsageError(REFUSALS.get(exc.code, fallback))


def _organisation(session: Session, slug: str) -> Organisation:
    try:
        return organisations.by_slug(session, slug)
    except NotFound as exc:
        raise click.UsageError(f"no organisation {slug}") from exc


@click.group("api-key")
def api_key_group() -> None:
    """API keys of controller organisations (the machine API)."""


@api_key_group.command("create")
@click.option("--organisation", "slug", required=True, help="the controller's slug")
@click.option("--label", default="", help="what the key is for")
@with_appcontext
def create_command(slug: str, label: str) -> None:
    """Make a key; it is printed once, alone on the last line."""
    with get_db().sessionmaker() as session:
        org = _organisation(session, slug)
        try:
            issued = keys.create_key(session, org, actor=SYSTEM, now=clock.now(), label=label)
        except DomainError as exc:
            raise _refuse(exc, "the key was not made") from exc
        session.commit()
        click.echo(f"key {issued.key.prefix} made for {slug}; it is shown only now:")
        click.echo(issued.secret)


@api_key_group.command("revoke")
@click.option("--organisation", "slug", required=True, help="the controller's slug")
@click.option("--prefix", required=True, help="the first 8 characters of the key")
@with_appcontext
def revoke_command(slug: str, prefix: str) -> None:
    """Revoke the organisation's live key(s) with this prefix."""
    with get_db().sessionmaker() as session:
        org = _organisation(session, slug)
        try:
            revoked = keys.revoke_key(session, org, prefix, actor=SYSTEM, now=clock.now())
        except NotFound as exc:
            raise click.UsageError(f"{slug} has no live key {prefix.strip()}") from exc
        except DomainError as exc:
            raise _refuse(exc, "nothing was revoked") from exc
        session.commit()
    click.echo(f"revoked {len(revoked)} key(s) of {slug}")
