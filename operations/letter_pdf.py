"""The answer letter as a PDF (docs/legal.md, "What each letter says"): the officer
previews the draft from the case page, the subject downloads a sent letter from the status
page. The text is the letter's own (``AnswerLetter.body``, what was or will be sent); the
PDF adds a letterhead of the signing organisation, the date and the reference. WeasyPrint
renders it, as for the certificates (``operations.certificates.render_pdf``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from operations.certificates import Rendered, render_pdf
from operations.context import Context
from operations.letter_facts import signatory
from rights import answers
from rights.audit import Actor, record
from rights.deadlines import AMSTERDAM
from rights.errors import NotFound
from rights.models.case import AnswerLetter
from rights.models.org import Organisation, OrganisationKind
from rights.models.request import RightsRequest
from rights.righttypes import RIGHTS

TEMPLATE = "letters/answer.html"


@dataclass(frozen=True)
class Sender:
    name: str
    lines: tuple[str, ...]


def _sender(ctx: Context) -> Sender:
    operator = ctx.session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.OPERATOR)
        .order_by(Organisation.id)
        .limit(1)
    )
    fields = ("address", "contact_email", "website") if operator else ()
    lines = tuple(str(getattr(operator, f)) for f in fields if getattr(operator, f, None))
    return Sender(signatory(ctx), lines)


def letter_pdf(
    ctx: Context, request: RightsRequest, letter: AnswerLetter, *, dated: datetime, draft: bool
) -> bytes:
    texts = ctx.texts(letter.language or request.language)
    html = texts.render(
        TEMPLATE,
        r=request,
        body=letter.body,
        draft=draft,
        dated=dated.astimezone(AMSTERDAM).date(),
        sender=_sender(ctx),
        article=RIGHTS[request.right].article,
        texts=texts,
    )
    return render_pdf(html)


def _name(request: RightsRequest, letter: AnswerLetter) -> str:
    return f"answer-{request.reference}-{letter.id}.pdf"


def draft_pdf(ctx: Context, request: RightsRequest) -> Rendered:
    """The officer's preview of the current draft (``NotFound`` without one); audited."""
    letter = answers.current_draft(ctx.session, request)
    if letter is None:
        raise NotFound("no draft", code="not_found")
    data = letter_pdf(ctx, request, letter, dated=ctx.now(), draft=True)
    _audit(ctx, ctx.actor, "answer.pdf_previewed", request, letter)
    return Rendered(data, "application/pdf", _name(request, letter))


def sent_pdf(ctx: Context, request: RightsRequest, letter_id: int) -> Rendered:
    """A sent letter of ``request`` for the subject (``NotFound`` for a draft or another
    request's letter); audited as downloaded by the subject."""
    letter = ctx.session.get(AnswerLetter, letter_id)
    if letter is None or letter.request_id != request.id or letter.sent_at is None:
        raise NotFound("no such letter", code="not_found")
    data = letter_pdf(ctx, request, letter, dated=letter.sent_at, draft=False)
    _audit(ctx, Actor.subject(), "answer.pdf_downloaded", request, letter)
    return Rendered(data, "application/pdf", _name(request, letter))


def _audit(
    ctx: Context, actor: Actor, action: str, request: RightsRequest, letter: AnswerLetter
) -> None:
    record(
        ctx.session,
        action,
        actor=actor,
        now=ctx.now(),
        request_id=request.id,
        object_type="answer_letter",
        object_id=letter.id,
    )
