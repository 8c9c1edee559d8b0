"""The answer: prepare the letter from the templates in the subject's language, edit it,
have an Art. 12(5) refusal approved by a second officer, send it (LEGAL.md §4.8, §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response

from portal.auth.guards import staff_required
from portal.db import get_session
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.case import _act, _confirmed, _form, _render_case
from portal.staff.helpers import actor, check_version, load_case, policy
from rights import answers, followups
from rights.db import now_utc
from rights.errors import DomainError, ValidationFailed
from rights.grounds import Basis, is_direct_marketing_objection, parse_basis
from rights.models.request import Outcome, RightsRequest
from rights.righttypes import RIGHTS
from rights.sources.erasure import erasure_summary


def _review_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed("not a date", code="review_required") from None


def _letter_body(
    r: RightsRequest,
    outcome: Outcome,
    grounds: list[str],
    reasons: str,
    manifestly: str | None,
    basis: Basis | None = None,
) -> str:
    with force_locale(r.language):
        return render_template(
            "letters/answer.txt",
            r=r,
            outcome=outcome.value,
            grounds=grounds,
            reasons=reasons.strip(),
            manifestly=manifestly,
            basis=basis.value if basis else "",
            direct_marketing=is_direct_marketing_objection(r.right, r.details),
            labels=labels,
            article=RIGHTS[r.right].article,
            erasure=erasure_summary(get_session(), r),
        )


@dataclass(frozen=True)
class AnswerForm:
    """The answer form, parsed; the domain checks that its parts fit (docs/legal.md)."""

    outcome: Outcome
    grounds: list[str]
    reasons: str
    manifestly: str | None
    basis: Basis | None
    review_on: date | None


def _answer_form() -> AnswerForm:
    try:
        outcome = Outcome(_form("outcome"))
    except ValueError:
        raise ValidationFailed("choose the outcome", code="ground_required") from None
    return AnswerForm(
        outcome=outcome,
        grounds=[g.replace("\x00", "") for g in request.form.getlist("grounds")[:20]],
        reasons=_form("reasons"),
        manifestly=_form("manifestly") or None,
        basis=parse_basis(_form("basis")),
        review_on=_review_date(_form("review_on")),
    )


@bp.post("/requests/<reference>/answer")
@staff_required
def prepare_answer(reference: str) -> Any:
    def do(r: RightsRequest) -> Response:
        f = _answer_form()
        args = (f.outcome, f.grounds, f.reasons, f.manifestly)
        answers.check_answer(r, *args, basis=f.basis, review_on=f.review_on)
        body = _letter_body(r, *args, f.basis)
        answers.prepare_answer(
            get_session(), r, f.outcome, f.grounds, f.reasons, body, actor=actor(),
            now=now_utc(), manifestly=f.manifestly, basis=f.basis, review_on=f.review_on,
        )  # fmt: skip
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
        remedy=answers.remedy_notice(),
        error=None,
    )


@bp.post("/requests/<reference>/letter")
@staff_required
def save_letter(reference: str) -> Any:
    """Save the edited draft, or save and send it. A refused step re-shows the letter page
    with the officer's text kept."""
    session = get_session()
    r = load_case(reference)
    check_version(r, request.form.get("version"))
    draft = answers.current_draft(session, r)
    if draft is None:
        return redirect(url_for("staff.case", reference=r.reference), 303)
    sending = request.form.get("action") == "send"
    try:
        if sending:
            _confirmed()
        answers.edit_answer(session, r, draft, _form("body"), actor=actor(), now=now_utc())
        if sending:
            answers.send_answer(session, r, draft, actor=actor(), now=now_utc())
        session.commit()
    except DomainError as exc:
        session.rollback()
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
            remedy=answers.remedy_notice(),
            error=labels.error_text(exc.code),
        ), exc.http_status
    if sending:
        return redirect(url_for("staff.case", reference=r.reference) + "#letters", 303)
    return redirect(url_for("staff.letter", reference=r.reference), 303)


@bp.post("/requests/<reference>/letter/approve")
@staff_required
def approve_letter(reference: str) -> Any:
    """Four eyes for an Art. 12(5) refusal (LEGAL.md §5)."""

    def do(r: RightsRequest) -> Response:
        session = get_session()
        draft = answers.current_draft(session, r)
        if draft is None:
            raise ValidationFailed("no draft", code="letter_empty")
        answers.approve_answer(session, r, draft, actor=actor(), now=now_utc())
        return redirect(url_for("staff.letter", reference=r.reference), 303)

    return _act(reference, do)


@bp.post("/requests/<reference>/follow-up")
@staff_required
def follow_up(reference: str) -> Any:
    """The erasure that follows a withdrawal of consent or an objection (Art. 17(1)(b)/(c))."""

    def do(r: RightsRequest) -> Response:
        new = followups.open_follow_up_erasure(
            get_session(), r, actor=actor(), now=now_utc(), policy=policy()
        )
        return redirect(url_for("staff.case", reference=new.reference), 303)

    return _act(reference, do)
