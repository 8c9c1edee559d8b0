"""``dsr-portal sources ...``: load source definitions, upload and purge data files, and run
a mailing file through the suppression list."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from operations.mailing import filter_mailing
from portal import clock
from portal.context import context_for
from portal.db import get_db
from portal.sources.messages import error_message
from rights.audit import SYSTEM
from rights.errors import DomainError
from rights.models.org import Organisation
from rights.models.source import DataSource
from rights.sources.ingest import ingest_data_file, purge_expired_files
from rights.sources.registry import load_source, parse_source_toml


def _fail(exc: DomainError) -> click.ClickException:
    """The refusal in words, in the portal's language, as the upload page says it (the stable
    code is for the API and logs, not for the administrator reading the terminal)."""
    with force_locale(str(current_app.config["BABEL_DEFAULT_LOCALE"])):
        return click.ClickException(error_message(exc))


@click.group("sources")
def sources_group() -> None:
    """Data sources, data files and the suppression list."""


@sources_group.command("load")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="database URL of an SQL source (stored encrypted)")
@with_appcontext
def sources_load(definition: Path, url: str | None) -> None:
    """Create or update a source from its TOML DEFINITION."""
    with get_db().sessionmaker() as session:
        try:
            spec = parse_source_toml(definition.read_text(encoding="utf-8"))
            ctx = context_for(current_app, session)
            source = load_source(
                session,
                spec,
                actor=SYSTEM,
                now=clock.now(),
                key=ctx.connector_key(),
                url=url,
                policy=ctx.source_url_policy(),
            )
        except DomainError as exc:
            raise _fail(exc) from exc
        session.commit()
        click.echo(f"source {source.slug} saved")


@sources_group.command("upload")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--days", type=int, default=None, help="retention in days (default: the owner's)")
@with_appcontext
def sources_upload(slug: str, path: Path, days: int | None) -> None:
    """Import the data file PATH into the file source SLUG."""
    with get_db().sessionmaker() as session:
        source = session.scalar(select(DataSource).where(DataSource.slug == slug))
        if source is None:
            raise click.ClickException(f"no source {slug}")
        try:
            with path.open("rb") as handle:
                upload = ingest_data_file(
                    session, source, handle, path.name, actor=SYSTEM, now=clock.now(),
                    retention_days=days,
                )  # fmt: skip
        except DomainError as exc:
            session.rollback()
            raise _fail(exc) from exc
        session.commit()
        click.echo(f"{upload.row_count} rows imported, purged after {upload.expires_at:%Y-%m-%d}")


@sources_group.command("purge")
@with_appcontext
def sources_purge() -> None:
    """Delete data files past their retention date, with their records."""
    with get_db().sessionmaker() as session:
        count = purge_expired_files(session, now=clock.now())
        session.commit()
    click.echo(f"{count} data files purged")


@sources_group.command("filter-mailing")
@click.option("--organisation", "org_slug", required=True)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def sources_filter(org_slug: str, source: Path, target: Path) -> None:
    """Write SOURCE to TARGET (CSV) without the people on the suppression list."""
    with get_db().sessionmaker() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if org is None:
            raise click.ClickException(f"no organisation {org_slug}")
        try:
            with source.open("rb") as handle:
                ctx = context_for(current_app, session)
                result = filter_mailing(ctx, org, handle, source.name)
        except DomainError as exc:
            raise _fail(exc) from exc
        session.commit()
    target.write_bytes(result.csv_bytes)
    click.echo(
        f"{result.kept} kept, {result.removed} removed "
        f"({result.removed - result.restricted} suppressed, {result.restricted} restricted)"
    )
