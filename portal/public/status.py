"""The status page behind the subject's signed link: deadline, history, messages, answers
and downloads; answering a question, withdrawing, a new confirmation link, "lost your link?"."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from portal.context import context
from portal.public import downloads
from portal.public.blueprint import bp, per_email, per_ip, per_request
from portal.public.forms import ConfirmForm, LostLinkForm, ReplyForm
from portal.public.history import history
from portal.public.intake import read_upload
from portal.public.verify import status_token
from portal.tokens import TokenExpired, TokenInvalid, read_token
from rights import intake
from rights.errors import ValidationFailed
from rights.lifecycle import OPEN_STATES
from rights.messages import open_document_request, thread
from rights.models.case import AnswerLetter, Message
from rights.models.package import Package, PackageKind
from rights.models.request import RequestState, RightsRequest
from rights.receipt import suppression_reason

ERRORS = {
    "upload_not_asked": _l("You can only add a document when we ask for one."),
    "file_type": _l("Only PDF, PNG and JPEG files are accepted."),
    "file_empty": _l("The file is empty."),
    "file_too_large": _l("The file is too large."),
    "message_too_long": _l("The message is too long."),
    "message_empty": _l("Write a message."),
}


# A part's outcome in words (a split request: docs/controllers.md, "Forwarding").
OUTCOMES = {
    "fulfilled": _l("Done as you asked"),
    "partially_fulfilled": _l("Partly done as you asked"),
    "refused": _l("Refused"),
}


def _error_text(exc: ValidationFailed) -> str:
    return str(ERRORS.get(exc.code, _l("Some of the information given is not valid.")))


_WITH_PAGE_RELATIONS = (
    joinedload(RightsRequest.organisation),
    joinedload(RightsRequest.suspensions),
)


def _status_request(token: str) -> RightsRequest:
    try:
        data = read_token("status", token, None)
        request_id = int(data["r"])
    except (TokenInvalid, TokenExpired, KeyError, TypeError, ValueError):
        abort(404)
    # The page shows the organisation and the pauses: loaded with the request (one query).
    req = context().session.get(RightsRequest, request_id, options=_WITH_PAGE_RELATIONS)
    if req is None:
        abort(404)
    return req


_SENT_LETTERS = (
    select(AnswerLetter)
    .where(AnswerLetter.request_id == bindparam("rid"), AnswerLetter.sent_at.is_not(None))
    .order_by(AnswerLetter.sent_at)
)


# Whether the request has sent letters, messages and packages for the subject, in one
# statement: for most of a request's life it has none of them, and each read is a round
# trip. A part is read only when it holds rows (the packages: any of the request's own;
# which of them the page offers is the packages module's business).
_HELD = select(
    exists().where(AnswerLetter.request_id == bindparam("rid"), AnswerLetter.sent_at.is_not(None)),
    exists().where(Message.request_id == bindparam("rid")),
    exists().where(Package.request_id == bindparam("rid"), Package.kind == PackageKind.REQUEST),
)


def _can_answer(req: RightsRequest) -> bool:
    return req.state in OPEN_STATES and req.state is not RequestState.AWAITING_VERIFICATION


def _status_page(token: str, req: RightsRequest, reply: ReplyForm | None) -> dict[str, Any]:
    """What the status page shows (a read model over the request)."""
    ctx = context()
    session = ctx.session
    has_letters, has_messages, has_packages = session.execute(_HELD, {"rid": req.id}).one()
    letters = session.scalars(_SENT_LETTERS, {"rid": req.id}).all() if has_letters else []
    messages = thread(session, req) if has_messages else []
    asked = open_document_request(session, req, messages) if _can_answer(req) else None
    open_reason = next((s.reason for s in req.suspensions if s.answered_at is None), None)
    group = intake.group_of(session, req)
    # Parts of a split request share the right (one per organisation); other members of
    # the group were filed together for other rights.
    parts = [r for r in group if r.right is req.right]
    form = reply or ReplyForm()
    question = open_reason is not None or req.state is RequestState.AWAITING_INFORMATION
    form.body.label.text = _("Your answer") if question else _("Your message")
    return {
        "token": token,
        "req": req,
        "due": intake.shown_due(req, now=ctx.now(), policy=ctx.policy),
        "history": history(session, req),
        "messages": messages,
        "letters": list(letters),
        "downloads": downloads.for_status(req) if has_packages else [],
        "linked": [(r, status_token(r)) for r in group if r.right is not req.right],
        "parts": [(r, status_token(r)) for r in parts] if len(parts) > 1 else [],
        "outcomes": OUTCOMES,
        "reply": form,
        "can_answer": _can_answer(req),
        "can_withdraw": req.state in OPEN_STATES,
        "asked": asked,
        "id_upload": asked is not None and open_reason == "identity",
        "button": ConfirmForm(),
        "marketing_stopped": suppression_reason(req) is not None,
    }


def _render_status(
    token: str, req: RightsRequest, reply: ReplyForm | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template("public/status.html", **_status_page(token, req, reply)), status


@bp.get("/status/<token>")
def status(token: str) -> tuple[str, int]:
    return _render_status(token, _status_request(token))


def _answer(req: RightsRequest, form: ReplyForm) -> bool:
    """Store the subject's answer; a refused upload goes onto the document field."""
    ctx = context()
    upload = read_upload(form.document.data)
    try:
        intake.answer(
            ctx.session,
            ctx.document_store(),
            req,
            form.body.data,
            now=ctx.now(),
            policy=ctx.policy,
            upload=upload,
        )
    except ValidationFailed as exc:
        ctx.session.rollback()
        form.document.errors = [*form.document.errors, _error_text(exc)]
        return False
    ctx.session.commit()
    return True


@bp.post("/status/<token>/reply")
def reply(token: str) -> Any:
    req = _status_request(token)
    form = ReplyForm()
    if not _can_answer(req):
        abort(409)
    if form.validate_on_submit() and _answer(req, form):
        flash(_("Thank you. We have received your answer."))
        return redirect(url_for("public.status", token=token))
    return _render_status(token, req, form, 422)


@bp.route("/status/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token: str) -> Any:
    req = _status_request(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        intake.withdraw(context().session, req, now=context().now())
        context().session.commit()
        flash(_("Your request has been withdrawn."))
        return redirect(url_for("public.status", token=token))
    if req.state not in OPEN_STATES:
        abort(409)
    return render_template("public/withdraw.html", form=form, req=req, token=token)


@bp.post("/status/<token>/resend")
@per_ip
@per_request
def status_resend(token: str) -> Any:
    req = _status_request(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    intake.resend_verification(context().session, req, now=context().now())
    context().session.commit()
    return render_template("public/link_sent.html")


@bp.route("/lost-link", methods=["GET", "POST"])
@per_ip
@per_email
def lost_link() -> Any:
    form = LostLinkForm()
    if form.validate_on_submit():
        intake.send_status_links(context().session, form.email.data, now=context().now())
        context().session.commit()
        return render_template("public/link_sent.html", lost=True)
    status_code = 422 if request.method == "POST" else 200
    return render_template("public/lost_link.html", form=form), status_code
