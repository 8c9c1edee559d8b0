"""The page where a manual source's named person answers a search task (no account: the
signed, expiring link in the task mail is the credential; it works until the task is
answered). Staff download the answered file from the request's data page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal import clock
from portal.db import get_session
from portal.formfields import first_error
from portal.security import limiter
from portal.sources.forms import TaskAnswerForm
from portal.storage import document_store
from portal.tokens import TokenExpired, TokenInvalid, make_token, read_token
from rights.deadlines import AMSTERDAM
from rights.errors import DomainError, Gone, NotFound
from rights.models.request import RightsRequest
from rights.models.source import SourceTask
from rights.sources.tasks import ASSIGNEE, answer_task, open_task, task_subject

bp = Blueprint("tasks", __name__)
PURPOSE = "source-task"


def task_url(task_id: int) -> str:
    token = make_token(PURPOSE, {"t": task_id})
    return f"{current_app.config['BASE_URL'].rstrip('/')}/tasks/{token}"


def _gone() -> tuple[str, int]:
    return render_template("tasks/gone.html"), 410


def _task(token: str) -> SourceTask:
    """404 for a tampered or foreign link; ``Gone`` (410) for an expired or spent one."""
    try:
        data = read_token(PURPOSE, token, int(current_app.config["TASK_LINK_DAYS"]) * 86400)
    except TokenExpired as exc:
        raise Gone("link expired", code="link_expired") from exc
    except TokenInvalid as exc:
        raise NotFound("unknown task link") from exc
    return open_task(get_session(), data.get("t"), actor=ASSIGNEE, now=clock.now())


def _messages() -> dict[str, str]:
    return {
        "task_outcome": _("Choose what you found or did."),
        "task_note_long": _("The note is too long (at most 5000 characters)."),
        "task_note_required": _("Describe what you checked or did."),
        "task_file_unexpected": _("Only add a file when you choose 'I found data'."),
        "file_empty": _("Choose the file with what you found."),
        "file_too_large": _("The file is too large."),
        "file_type": _("Only PDF, PNG, JPEG, XLSX, CSV and plain text files are accepted."),
    }


def _page(
    token: str, task: SourceTask, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    req = get_session().get(RightsRequest, task.request_id)
    return (
        render_template(
            "tasks/answer.html",
            token=token,
            task=task,
            req=req,
            subject=task_subject(req) if req is not None else None,
            instructions=(task.source.mapping.get("instructions", "") if task.source else ""),
            error=error,
            form=request.form,
            today=clock.now().astimezone(AMSTERDAM).date(),
        ),
        status,
    )


@bp.route("/tasks/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def answer(token: str) -> str | tuple[str, int]:
    session = get_session()
    try:
        task = _task(token)
    except Gone:
        session.commit()  # keeps the audit of a reused link
        return _gone()
    form = TaskAnswerForm()
    if not form.is_submitted():
        return _page(token, task)
    if not form.validate():
        return _page(token, task, first_error(form), 422)
    try:
        _submit(session, task, form)
    except DomainError as exc:
        session.rollback()
        return _page(token, task, _messages().get(exc.code, _("Check your input.")), 422)
    session.commit()
    return render_template("tasks/thanks.html", req_reference=_reference(task))


def _submit(session: Session, task: SourceTask, form: TaskAnswerForm) -> None:
    upload = form.file.data if form.file.data and form.file.data.filename else None
    answer_task(
        session,
        document_store(),
        task,
        outcome=form.outcome.data,
        note=form.note.data,
        upload=upload.read() if upload is not None else None,
        filename=(upload.filename or "") if upload is not None else "",
        now=clock.now(),
    )


def _reference(task: SourceTask) -> str:
    req = get_session().get(RightsRequest, task.request_id)
    return req.reference if req is not None else ""
