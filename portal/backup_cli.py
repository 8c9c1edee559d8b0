"""``dsr-portal backup create|restore`` and ``dsr-portal audit anchor`` (docs/operations.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from operations.audit_words import chain_text
from operations.backup import BackupReport, Storage, create_backup, restore_backup
from operations.texts import texts
from portal.clock import now
from portal.context import key_context, settings_from
from portal.db import get_db
from rights.audit import Anchor, anchor, verify_chain
from rights.errors import DomainError


def storage_of(app: Flask) -> Storage:
    """The database and the file areas; with ``PORTAL_STORAGE_URL`` the areas are backed up
    and restored through that store (the same backends the Context builds)."""
    settings = settings_from(app)
    folders = {
        "documents": settings.document_dir or settings.instance_path / "documents",
        "packages": settings.package_dir or settings.instance_path / "packages",
    }
    context = key_context(app)
    stores = {name: blobs for name in folders if (blobs := context.blobs(name)) is not None}
    return Storage(database_url=str(app.config["DATABASE_URL"]), folders=folders, stores=stores)


@click.group("backup")
def backup_group() -> None:
    """Back up and restore the database and the encrypted file stores."""


@backup_group.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_create(folder: Path) -> None:
    """Write a backup of the database and file stores into FOLDER (new or empty)."""
    try:
        report: BackupReport = create_backup(storage_of(current_app), folder, now=now())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {report.folder}: {report.files} files, {report.size} bytes")
    click.echo("keep the encryption key elsewhere; audit anchor of this backup:")
    click.echo(str(report.anchor))


@backup_group.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database or folder that is not empty.")
@with_appcontext
def backup_restore(folder: Path, force: bool) -> None:
    """Restore FOLDER into the configured database and file stores, then verify the chain."""
    try:
        taken_at = restore_backup(folder, storage_of(current_app), force=force)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    with get_db().sessionmaker() as session:
        report = verify_chain(session, anchor=taken_at)
    t = texts(str(current_app.config["BABEL_DEFAULT_LOCALE"]))
    restored = t.gettext("Restored from %(folder)s.", folder=str(folder))
    click.echo(f"{restored} {chain_text(report, t.language)}", err=not report.ok)
    if not report.ok:
        sys.exit(1)


@click.command("anchor")
@with_appcontext
def audit_anchor() -> None:
    """Print the chain's head as SEQ:HASH, to keep outside the database."""
    with get_db().sessionmaker() as session:
        click.echo(str(anchor(session)))


def parse_anchor(ctx: click.Context, param: click.Parameter, value: str | None) -> Anchor | None:
    if value is None:
        return None
    try:
        return Anchor.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
