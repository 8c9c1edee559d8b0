"""A request's data (officers): discovery of the subject's data in the sources, the match
decisions, previewed actions executed after a check, and the manual sources' tasks."""

from __future__ import annotations

from dataclasses import fields

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from operations.letter_facts import worded_erasure
from portal import clock
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.loading import get_or_404
from portal.sources.blueprint import actor, bp, fail, flash_source_errors
from portal.sources.forms import ButtonForm, DecisionForm, PrepareForm, TaskDoneForm
from portal.staff.helpers import attachment
from portal.storage import document_store
from rights.audit import record
from rights.deadlines import local_date
from rights.errors import DomainError
from rights.models.case import Document
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, DataSource, SourceAction, SourceTask, SubjectMatch
from rights.readmodels.data_page import data_page
from rights.sources import fulfilment


def _request(reference: str) -> RightsRequest:
    found = get_session().scalar(select(RightsRequest).where(RightsRequest.reference == reference))
    if found is None:
        abort(404)
    return found


def _data_page(reference: str, anchor: str = "") -> Response:
    return redirect(url_for("sources.request_data", reference=reference) + anchor)


@bp.get("/requests/<reference>/data")
@staff_required
def request_data(reference: str) -> str:
    session, req = get_session(), _request(reference)
    page = data_page(session, req, key=context().source_keys(), today=local_date(clock.now()))
    flash_source_errors(page.errors, others_searched=False)
    if page.matches:
        # Showing the subject's data is a view of personal data: audited (docs/security.md, "Audit
        # trail").
        record(
            session,
            "sources.data_viewed",
            actor=actor(),
            now=clock.now(),
            request_id=req.id,
            data={"matches": len(page.matches)},
        )
        session.commit()
    shown = {f.name: getattr(page, f.name) for f in fields(page) if f.name != "errors"}
    # Tables and columns of the erasure summary by their labels, as the letter names them.
    shown["summary"] = worded_erasure(page.summary, str(get_locale() or "nl")[:2])
    return render_template("sources/request_data.html", **shown)


@bp.post("/requests/<reference>/data/discover")
@staff_required
def request_discover(reference: str) -> Response:
    req = _request(reference)
    if not ButtonForm().validate_on_submit():
        abort(400)
    key = context().source_keys()
    report = fulfilment.discover(get_session(), req, actor=actor(), now=clock.now(), key=key)
    get_session().commit()
    found = ngettext("%(num)s place found, %(new)s new.", "%(num)s places found, %(new)s new.",
                     report.found, new=report.new)  # fmt: skip
    flash(found, "info")
    flash_source_errors(report.errors, others_searched=True)
    return _data_page(reference)


@bp.post("/requests/<reference>/data/matches/<int:match_id>")
@staff_required
def request_decide(reference: str, match_id: int) -> Response:
    req, form = _request(reference), DecisionForm()
    match = get_or_404(SubjectMatch, match_id, request_id=req.id)
    if not form.validate_on_submit():
        abort(404)
    confirm = form.decision.data == "confirm"
    fulfilment.decide_match(get_session(), match, confirm=confirm, actor=actor(), now=clock.now())
    get_session().commit()
    return _data_page(reference)


@bp.post("/requests/<reference>/data/actions")
@staff_required
def request_prepare(reference: str) -> Response:
    session, req, form = get_session(), _request(reference), PrepareForm()
    if not form.validate_on_submit():
        abort(400)
    source = session.get(DataSource, form.source.data) if form.source.data else None
    try:
        action = fulfilment.prepare_action(
            session,
            req,
            source,
            ActionKind(form.kind.data),
            actor=actor(),
            now=clock.now(),
            key=context().source_keys(),
            params=form.params(),
        )
    except DomainError as exc:
        fail(exc)
        return _data_page(reference)
    session.commit()
    flash(_("Preview ready: check it, then execute."), "info")
    return _data_page(reference, f"#action-{action.id}")


@bp.post("/requests/<reference>/data/actions/<int:action_id>/execute")
@staff_required
def request_execute(reference: str, action_id: int) -> Response:
    req = _request(reference)
    action = get_or_404(SourceAction, action_id, request_id=req.id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    key = context().source_keys()
    try:
        fulfilment.execute_action(
            get_session(), action, actor=actor(), now=clock.now(), key=key, language=req.language
        )
    except DomainError as exc:
        fail(exc)
        return _data_page(reference)
    get_session().commit()
    flash(_("The action was carried out as previewed."), "info")
    return _data_page(reference)


@bp.post("/requests/<reference>/data/tasks/<int:task_id>")
@staff_required
def request_task_done(reference: str, task_id: int) -> Response:
    req, form = _request(reference), TaskDoneForm()
    task = get_or_404(SourceTask, task_id, request_id=req.id)
    if not form.validate_on_submit():
        abort(400)
    try:
        fulfilment.complete_task(
            get_session(), task, answer=form.answer.data, actor=actor(), now=clock.now()
        )
    except DomainError as exc:
        fail(exc)
        return _data_page(reference)
    get_session().commit()
    return _data_page(reference)


@bp.get("/requests/<reference>/data/tasks/<int:task_id>/file")
@staff_required
def request_task_file(reference: str, task_id: int) -> Response:
    """The file a manual source's named person sent: to staff only, as an attachment."""
    session, req = get_session(), _request(reference)
    task = get_or_404(SourceTask, task_id, request_id=req.id)
    doc = get_or_404(Document, task.document_id, request_id=req.id)
    data = document_store().read(doc)  # Gone (410) once deleted
    record(
        session,
        "document.downloaded",
        actor=actor(),
        now=clock.now(),
        request_id=req.id,
        object_type="document",
        object_id=doc.id,
        data={"task_id": task.id, "sha256": doc.sha256},
    )
    session.commit()
    return attachment(data, doc.content_type, doc.filename)
