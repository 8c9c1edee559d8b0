"""``dsr-portal answer draft <reference>``: print the answer letter of a request as the case
page generates it, composed by ``operations.answers`` without a web request."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from operations.answers import Decision, draft_answer
from portal.context import context_for
from portal.db import get_db
from rights.errors import DomainError
from rights.models.request import Outcome


@click.group("answer")
def answer_group() -> None:
    """Answer letters."""


@answer_group.command("draft")
@click.argument("reference")
@click.option("--language", type=click.Choice(["nl", "en"]), help="default: the subject's")
@click.option("--reasons", default="", help="the reasons given in the letter")
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in Outcome]),
    help="compose for this decision instead of the draft's",
)
@click.option("--ground", "grounds", multiple=True, help="with --outcome; repeat for several")
@click.option("--manifestly", type=click.Choice(["unfounded", "excessive"]))
@with_appcontext
def answer_draft(
    reference: str,
    language: str | None,
    reasons: str,
    outcome: str | None,
    grounds: tuple[str, ...],
    manifestly: str | None,
) -> None:
    """Print the letter of request REFERENCE: for the decision of its draft (outcome,
    grounds, Art. 12(5) kind) with --reasons, or for --outcome/--ground; a "fulfilled"
    letter when nothing was prepared yet. The text is what the case page generates."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with get_db().sessionmaker() as session:
        try:
            decision = Decision.parse(outcome, grounds, reasons, manifestly) if outcome else None
            answer = draft_answer(
                context_for(app, session),
                reference,
                decision=decision,
                reasons=reasons,
                language=language,
            )
        except DomainError as exc:
            raise click.ClickException(f"{exc.code}: {exc}") from exc
        click.echo(answer.text)
        if answer.package is not None:
            formats = ",".join(answer.package.formats)
            click.echo(f"(refers to package {answer.package.id}: {formats})", err=True)
