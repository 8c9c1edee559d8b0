"""``dsr-portal package ...``: build a request's package into the encrypted store, verify a
package ZIP against its manifest, purge expired packages. Both long steps show a progress
bar (bytes of the uncompressed members)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from exporters.errors import ExportInvalid
from exporters.package import DEFAULT_FORMATS
from exporters.verify import read_manifest, verify_package
from portal.db import get_db
from portal.packages import (
    build_request_package,
    collect_export_package,
    package_store,
    retention,
)
from rights import audit, packages
from rights.audit import Actor
from rights.db import now_utc
from rights.errors import DomainError
from rights.models.org import User
from rights.models.request import RightsRequest


@click.group("package")
def package_group() -> None:
    """Export packages: build, verify, purge."""


@package_group.command("build")
@click.argument("reference")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(DEFAULT_FORMATS),
    help="repeat for several; default: every format (access) or the chosen one (portability)",
)
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True)
@click.option("--by", "by_email", required=True, help="e-mail of the officer preparing it")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write the plaintext ZIP here (decrypted from the store and checked)",
)
@with_appcontext
def package_build(
    reference: str, formats: tuple[str, ...], delimiter: str, by_email: str, out: Path | None
) -> None:
    """Build the package for request REFERENCE and store it encrypted (status: built).

    A second officer releases it (four eyes) before the subject can download it.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = package_store(app)
    with get_db().sessionmaker() as session:
        request = session.scalar(select(RightsRequest).where(RightsRequest.reference == reference))
        if request is None:
            raise click.ClickException(f"no request {reference}")
        officer = session.scalar(select(User).where(User.email == by_email))
        if officer is None or not officer.is_staff:
            raise click.ClickException(f"no officer {by_email}")
        now = now_utc()
        export = collect_export_package(session, request, now=now, app=app)
        with click.progressbar(
            iter(()), label="Building package", show_pos=True, item_show_func=lambda _: "bytes"
        ) as bar:
            done = [0]

            def progress(total: int) -> None:
                bar.update(total - done[0])
                done[0] = total

            try:
                package = build_request_package(
                    session,
                    request,
                    export,
                    store=store,
                    now=now,
                    actor=Actor.user(officer.id),
                    formats=formats or None,
                    retention=retention(app),
                    csv_delimiter=delimiter,
                    progress=progress,
                )
            except (DomainError, ExportInvalid) as exc:
                raise click.ClickException(str(exc)) from exc
        if out is not None:
            with out.open("wb") as target:
                for chunk in store.open_verified(package):
                    target.write(chunk)
            audit.record(
                session,
                "package.exported",
                actor=Actor.user(officer.id),
                now=now,
                request_id=request.id,
                object_type="package",
                object_id=package.id,
                data={"sha256": package.sha256, "via": "cli"},
            )
        session.commit()
        click.echo(
            f"package {package.id} built for {reference}: {package.size} bytes, "
            f"sha256 {package.sha256}, formats {','.join(package.formats)}, "
            f"expires {package.expires_at:%Y-%m-%d}"
        )
        if out is not None:
            click.echo(f"plaintext ZIP written to {out}")


@package_group.command("build-return")
@click.argument("org_slug")
@click.option("--by", "by_email", required=True, help="e-mail of the officer preparing it")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True)
@with_appcontext
def package_build_return(org_slug: str, by_email: str, language: str, delimiter: str) -> None:
    """Build the return-of-data package of controller ORG_SLUG (Art. 28(3)(g) GDPR): every
    record of its data files and every row of the mapped tables of its SQL sources, stored
    encrypted (status: built). A second officer releases it (four eyes); then the
    controller's contacts download it in the controller portal."""
    from portal.packages import build_return_package
    from rights.crypto import parse_key
    from rights.models.org import Organisation, OrganisationKind

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        organisation = session.scalar(
            select(Organisation).where(
                Organisation.slug == org_slug, Organisation.kind == OrganisationKind.CONTROLLER
            )
        )
        if organisation is None:
            raise click.ClickException(f"no controller {org_slug}")
        officer = session.scalar(select(User).where(User.email == by_email))
        if officer is None or not officer.is_staff:
            raise click.ClickException(f"no officer {by_email}")
        with click.progressbar(
            iter(()), label="Building package", show_pos=True, item_show_func=lambda _: "bytes"
        ) as bar:
            done = [0]

            def progress(total: int) -> None:
                bar.update(total - done[0])
                done[0] = total

            try:
                package = build_return_package(
                    session,
                    organisation,
                    store=package_store(app),
                    key=parse_key(app.config["ENCRYPTION_KEY"]),
                    now=now_utc(),
                    actor=Actor.user(officer.id),
                    language=language,
                    retention=retention(app),
                    csv_delimiter=delimiter,
                    progress=progress,
                )
            except (DomainError, ExportInvalid) as exc:
                raise click.ClickException(str(exc)) from exc
        session.commit()
        summary = package.manifest_summary
        click.echo(
            f"return package {package.id} built for {org_slug} "
            f"({summary.get('reference')}): {package.size} bytes, sha256 {package.sha256}, "
            f"{summary.get('sources')} source(s), {summary.get('categories')} file(s)/table(s), "
            f"expires {package.expires_at:%Y-%m-%d}"
        )
        if summary.get("not_covered"):
            click.echo(
                "not included (manual or inactive SQL sources, return by hand): "
                + ", ".join(summary["not_covered"])
            )


@package_group.command("verify")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def package_verify(zip_path: Path) -> None:
    """Check every file of a package ZIP against its manifest; exit 1 if anything is off."""
    try:
        total = read_manifest(zip_path).total_size
    except (DomainError, ExportInvalid) as exc:
        click.echo(f"{zip_path}: {exc}", err=True)
        sys.exit(1)
    with click.progressbar(length=total, label="Verifying") as bar:
        done = [0]

        def progress(count: int) -> None:
            bar.update(count - done[0])
            done[0] = count

        report = verify_package(zip_path, progress=progress)
    if report.ok:
        click.echo(f"package intact: {report.checked} files, every checksum matches")
        return
    if report.error:
        click.echo(f"package damaged: {report.error}", err=True)
    for label, names in (
        ("missing", report.missing),
        ("extra", report.extra),
        ("checksum mismatch", report.mismatched),
        ("duplicate", report.duplicates),
    ):
        for name in names:
            click.echo(f"  {label}: {name}", err=True)
    sys.exit(1)


@package_group.command("purge")
@with_appcontext
def package_purge() -> None:
    """Delete the files of expired packages now (the worker does this on every pass)."""
    with get_db().sessionmaker() as session:
        count = packages.purge_expired(session, package_store(), now=now_utc())
        session.commit()
    click.echo(f"purged {count} expired package(s)")
