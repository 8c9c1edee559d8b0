"""``dsr-portal organisation end-contract``: the end of a controller's contract
(Art. 28(3)(g) GDPR; docs/controllers.md, "Results back to the controller"). Without
``--confirm`` it only says what would be deleted; with it, everything is deleted and the
certificate is written as PDF and JSON. ``organisation contract-certificate`` writes the
certificate again for an admin."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from operations.certificates import contract_end_json, render_html, render_pdf
from operations.context import Context
from operations.contract_end import end_contract, plan_contract_end
from portal.context import context_for
from portal.db import get_db
from rights.controllers.certificates import ContractEndCertificate, contract_end_certificate
from rights.errors import DomainError
from rights.models.org import Organisation

REFUSALS = {
    "contract_ended": "the contract of this organisation already ended",
    "open_requests": "the organisation still has open requests: answer or close them first",
    "no_return_export": (
        "no return-of-data export was released yet: build one with "
        "'dsr-portal package build-return' and release it first"
    ),
    "not_controller": "only a controller's contract can end",
}


@click.group("organisation")
def organisation_group() -> None:
    """Controller organisations: the end of the contract."""


def _organisation(session: Session, slug: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise click.ClickException(f"no organisation {slug}")
    return organisation


def _write(ctx: Context, cert: ContractEndCertificate, out: Path, slug: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    payload = contract_end_json(cert)
    stem = out / f"contract-end-{slug}-{cert.ended_at:%Y%m%d}"
    pdf, data = stem.with_suffix(".pdf"), stem.with_suffix(".json")
    pdf.write_bytes(render_pdf(render_html(ctx, payload, cert)))
    data.write_text(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True))
    return [pdf, data]


def _default_out() -> Path:
    return Path(current_app.instance_path) / "certificates"


@organisation_group.command("end-contract")
@click.option("--organisation", "slug", required=True, help="the controller's slug")
@click.option("--confirm", is_flag=True, help="really delete (without it: only say what)")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="certificate folder")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def end_contract_command(slug: str, confirm: bool, out: Path | None, language: str) -> None:
    """Delete all data of controller SLUG after its data were returned (Art. 28(3)(g))."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        ctx = context_for(app, session, language=language)
        organisation = _organisation(session, slug)
        try:
            plan = plan_contract_end(ctx, organisation)
            refusal = plan.refusal
            if refusal is not None:
                raise refusal
            click.echo(
                f"{organisation.name}: {plan.files} data files ({plan.records} records), "
                f"{plan.suppression_entries} suppression entries, {len(plan.sources)} sources"
            )
            if not confirm:
                click.echo("nothing deleted: run again with --confirm to delete all of it")
                return
            cert = end_contract(ctx, organisation)
        except DomainError as exc:
            raise click.ClickException(REFUSALS.get(exc.code, str(exc))) from exc
        session.commit()
        for path in _write(ctx, cert, out or _default_out(), slug):
            click.echo(f"certificate written to {path}")
        base = ctx.settings.base_url.rstrip("/")
        click.echo(f"the contacts download it at {base}/controller/files/contract-end.pdf")


@organisation_group.command("contract-certificate")
@click.option("--organisation", "slug", required=True, help="the controller's slug")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="certificate folder")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def contract_certificate_command(slug: str, out: Path | None, language: str) -> None:
    """Write the end-of-contract certificate of SLUG again (PDF and JSON)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        ctx = context_for(app, session, language=language)
        try:
            cert = contract_end_certificate(session, _organisation(session, slug))
        except DomainError as exc:
            raise click.ClickException("the contract of this organisation has not ended") from exc
        for path in _write(ctx, cert, out or _default_out(), slug):
            click.echo(f"certificate written to {path}")
