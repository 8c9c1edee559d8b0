"""Command line: ``flask --app wsgi ...`` or the ``dsr-portal`` console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from operations import jobs
from operations.audit_words import chain_text
from operations.demo import load_demo
from operations.demo_sources import load_demo_sources
from operations.texts import LANGUAGES
from portal import PROJECT_ROOT, clock, create_app
from portal.answer_cli import answer_group
from portal.api_key_cli import api_key_group
from portal.backup_cli import audit_anchor, backup_group, parse_anchor
from portal.cases_cli import cases_group
from portal.config import problems
from portal.context import context_for
from portal.db import get_db
from portal.delivery.cli import package_group
from portal.delivery.demo import load_demo_package
from portal.machine.signed import signer as opendsr_signer
from portal.organisation_cli import organisation_group
from portal.reminders import reminders_group
from portal.sources.cli import sources_group
from portal.worker import run_forever, run_once
from rights import administration as accounts
from rights.audit import SYSTEM, Anchor, verify_chain
from rights.crypto import generate_key
from rights.models.org import Organisation, Role
from rights.users import create_user, find_user


def alembic_config(url: str) -> object:
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(app: Flask, revision: str = "head") -> None:
    from alembic import command

    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)  # type: ignore[arg-type]


@click.group("db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: head)."""
    upgrade_database(current_app, revision)
    click.echo("database is at " + revision)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    from alembic import command

    command.current(alembic_config(current_app.config["DATABASE_URL"]))  # type: ignore[arg-type]


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", "org_slug", default=None, help="slug, for controller contacts")
@click.password_option()
@with_appcontext
def create_user_command(
    email: str, name: str, role: str, org_slug: str | None, password: str
) -> None:
    """Create a staff or controller account."""
    with get_db().sessionmaker() as session:
        org = None
        if org_slug:
            org = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
            if org is None:
                raise click.ClickException(f"no organisation with slug {org_slug}")
        create_user(
            session,
            email=email,
            name=name,
            role=Role(role),
            now=clock.now(),
            actor=SYSTEM,
            password=password,
            organisation=org,
        )
        session.commit()
    click.echo(f"created {role} {email}")


@click.command("reset-factor")
@click.option("--email", required=True)
@with_appcontext
def reset_factor_command(email: str) -> None:
    """Reset a user's second factor and lock (e.g. the only admin lost their phone and
    recovery codes); audited, the user is mailed and enrols again at the next login."""
    with get_db().sessionmaker() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException("no such user")
        now = clock.now()
        accounts.admin_reset_factor(session, user, now=now, actor=SYSTEM)
        accounts.admin_unlock(session, user, now=now, actor=SYSTEM)
        session.commit()
    click.echo(f"second factor reset for {email}; it is set up again at the next login")


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the demo organisations, users and requests (idempotent)."""
    with get_db().sessionmaker() as session:
        ctx = context_for(current_app, session)
        logins = load_demo(ctx)
        load_demo_sources(ctx)
        session.commit()
    for login in logins:
        click.echo(f"  {login.role:<11} {login.email:<36} {login.password}")


@click.group("worker")
def worker_group() -> None:
    """The background worker (outbox mail, scheduled jobs)."""


@worker_group.command("run")
@click.option("--once", is_flag=True, help="one pass, then exit (for cron)")
@with_appcontext
def worker_run(once: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        result = run_once(app)
        click.echo(f"sent {result.sent}, failed {result.failed}, jobs {result.jobs}")
    else:
        run_forever(app)


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    "anchor_",
    callback=parse_anchor,
    metavar="SEQ:HASH",
    help="An anchor printed earlier by `audit anchor`: fail on a copy older than it.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), help="nl or en; default: the portal's")
@with_appcontext
def audit_verify(anchor_: Anchor | None, lang: str | None) -> None:
    """Check the hash chain; exit 1 and name the first broken link if it is not intact."""
    with get_db().sessionmaker() as session:
        report = verify_chain(session, anchor=anchor_)
    language = lang or str(current_app.config["BABEL_DEFAULT_LOCALE"])
    click.echo(chain_text(report, language), err=not report.ok)
    if not report.ok:
        sys.exit(1)


audit_group.add_command(audit_anchor)


@click.group("config")
def config_group() -> None:
    """Configuration."""


@config_group.command("check")
@with_appcontext
def config_check() -> None:
    """List what would stop this configuration from running in production."""
    found = problems(current_app.config)
    if not found:
        click.echo("configuration ok for production")
        return
    for problem in found:
        click.echo(f"- {problem}")
    sys.exit(0 if current_app.config["ENV_NAME"] != "production" else 1)


@click.command("gen-key")
def gen_key() -> None:
    """Print a new random encryption key for PORTAL_ENCRYPTION_KEY."""
    click.echo(generate_key())


def dev_url(host: str, port: int) -> str:
    """The address people open for a development server on ``host``:``port``."""
    local = host in ("127.0.0.1", "localhost", "0.0.0.0", "::", "")  # noqa: S104 - a name
    return f"http://{'localhost' if local else host}:{port}"


@click.command("dev")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def dev(host: str, port: int) -> None:
    """Development: migrate, load the demo, start a worker and the web server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = dev_url(host, port)
    env = os.environ.copy()
    if "PORTAL_BASE_URL" not in env:
        # Mail and download links point where this server listens (HOST/PORT of make run).
        app.config["BASE_URL"] = env["PORTAL_BASE_URL"] = url
    upgrade_database(app)
    with get_db().sessionmaker() as session:
        ctx = context_for(app, session)
        logins = load_demo(ctx)
        load_demo_sources(ctx)
        session.commit()
        download = load_demo_package(session, app)
        session.commit()
    opendsr_signer(app)  # the development signing pair, made once in the instance folder
    worker = subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", "run"], env=env)
    click.echo("")
    click.echo(f"  DSR Portal is running at {url}/")
    click.echo(f"  Staff login:         {url}/auth/login")
    click.echo(f"  Mail (development):  {url}/staff/dev-mail")
    click.echo(f"  Machine API:         {url}/opendsr/v2/discovery")
    click.echo("  Demo logins (password for all shown):")
    for login in logins:
        click.echo(f"    {login.role:<11} {login.email:<36} {login.password}")
    if download:
        path = "/download/" + download.rpartition("/download/")[2]
        click.echo(f"  Demo download (code arrives in Development mail): {url}{path}")
    click.echo("  Second factor: the first login shows a QR code and a secret key. Scan it with")
    click.echo("  any authenticator app, or compute a code from the shown key with")
    click.echo("    oathtool --totp -b KEY")
    click.echo("    python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\"")
    click.echo("  A code works once; wait for the next one (30 s) to log in again.")
    click.echo("  Stop with Ctrl+C.\n")
    try:
        from werkzeug.serving import run_simple

        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


@click.command("close-unverified")
@with_appcontext
def close_unverified_command() -> None:
    """Close web requests whose e-mail address was not confirmed in time (also run by the
    worker on every pass)."""
    with get_db().sessionmaker() as session:
        count = jobs.close_unverified(context_for(current_app, session))
        session.commit()
    click.echo(f"closed {count} unconfirmed request(s)")


COMMANDS = (
    db_group,
    sources_group,
    create_user_command,
    reset_factor_command,
    demo_group,
    worker_group,
    close_unverified_command,
    audit_group,
    backup_group,
    cases_group,
    config_group,
    gen_key,
    dev,
    package_group,
    reminders_group,
    answer_group,
    organisation_group,
    api_key_group,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


cli = FlaskGroup(create_app=create_app, add_default_commands=True)


def main() -> None:
    cli(prog_name="dsr-portal")


if __name__ == "__main__":
    main()
