"""The answer: prepare the letter from the templates in the subject's language, edit it,
have an Art. 12(5) refusal approved by a second officer, send it (docs/legal.md,
"Complaint text (Art. 12(4))" and "Manifestly unfounded or excessive (Art. 12(5))")."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from operations import answers as answer_ops
from operations import letter_pdf
from operations.answers import Decision
from portal import clock
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.public.letters import pdf_response
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.case import _act, _confirmed, _form, _render_case
from portal.staff.helpers import actor, check_version, load_case, policy
from rights import answers, followups
from rights.errors import DomainError, NotFound
from rights.models.request import RightsRequest


@bp.post("/requests/<reference>/answer")
@staff_required
def prepare_answer(reference: str) -> Any:
    def do(r: RightsRequest) -> Response:
        decision = Decision.parse(
            _form("outcome"),
            request.form.getlist("grounds"),
            _form("reasons"),
            _form("manifestly") or None,
            basis=_form("basis") or None,
            review_on=_form("review_on"),
            scope=_form("restriction_scope").splitlines(),
            prejudicial={"yes": True, "no": False}.get(_form("restriction_prejudicial")),
        )
        answer_ops.prepare_answer(context(), r, decision)
        return redirect(url_for("staff.letter", reference=r.reference), 303)

    return _act(reference, do)


@bp.get("/requests/<reference>/letter")
@staff_required
def letter(reference: str) -> Any:
    r = load_case(reference)
    draft = answers.current_draft(get_session(), r)
    if draft is None:
        return redirect(url_for("staff.case", reference=r.reference) + "#answer", 303)
    return render_template(
        "staff/letter.html",
        r=r,
        draft=draft,
        labels=labels,
        remedy=answers.remedy_notice_for(r),
        package=answer_ops.referred_package(context(), r),
        error=None,
    )


def _letter_refused(reference: str, exc: DomainError) -> Any:
    """The letter page again after a refused step, with the officer's text kept."""
    session = get_session()
    r = load_case(reference)
    draft = answers.current_draft(session, r)
    if draft is None:  # pragma: no cover - only if someone sent it meanwhile
        return _render_case(r, labels.error_text(exc.code), exc.http_status)
    draft.body = _form("body")
    session.expunge(draft)
    return render_template(
        "staff/letter.html",
        r=r,
        draft=draft,
        labels=labels,
        remedy=answers.remedy_notice_for(r),
        error=labels.error_text(exc.code),
    ), exc.http_status


@bp.get("/requests/<reference>/letter.pdf")
@staff_required
def letter_preview(reference: str) -> Any:
    """The draft as the subject would get it, as a PDF (audited; 404 without a draft)."""
    r = load_case(reference)
    ctx = context()
    try:
        rendered = letter_pdf.draft_pdf(ctx, r)
    except NotFound:
        abort(404)
    ctx.session.commit()
    return pdf_response(rendered.data, rendered.filename)


@bp.post("/requests/<reference>/letter")
@staff_required
def save_letter(reference: str) -> Any:
    """Save the edited draft, or save and send it. A refused step re-shows the letter page
    with the officer's text kept."""
    ctx = context()
    r = load_case(reference)
    check_version(r, request.form.get("version"))
    if answers.current_draft(ctx.session, r) is None:
        return redirect(url_for("staff.case", reference=r.reference), 303)
    sending = request.form.get("action") == "send"
    try:
        if sending:
            _confirmed()
        answer_ops.save_answer(ctx, r, _form("body"), send=sending)
        ctx.session.commit()
    except DomainError as exc:
        ctx.session.rollback()
        return _letter_refused(reference, exc)
    if sending:
        return redirect(url_for("staff.case", reference=r.reference) + "#letters", 303)
    return redirect(url_for("staff.letter", reference=r.reference), 303)


@bp.post("/requests/<reference>/letter/approve")
@staff_required
def approve_letter(reference: str) -> Any:
    """Four eyes for an Art. 12(5) refusal.

    docs/legal.md, "Manifestly unfounded or excessive (Art. 12(5))".
    """

    def do(r: RightsRequest) -> Response:
        answer_ops.approve_answer(context(), r)
        return redirect(url_for("staff.letter", reference=r.reference), 303)

    return _act(reference, do)


@bp.post("/requests/<reference>/follow-up")
@staff_required
def follow_up(reference: str) -> Any:
    """The erasure that follows a withdrawal of consent or an objection (Art. 17(1)(b)/(c))."""

    def do(r: RightsRequest) -> Response:
        new = followups.open_follow_up_erasure(
            get_session(), r, actor=actor(), now=clock.now(), policy=policy()
        )
        return redirect(url_for("staff.case", reference=new.reference), 303)

    return _act(reference, do)
