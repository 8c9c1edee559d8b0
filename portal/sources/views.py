"""Pages: the source registry and uploads (admins), the suppression filter, and per request the
discovery of the subject's data and the previewed actions on it (officers)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from operations.mailing import filter_mailing
from portal import clock
from portal.auth.guards import admin_required, staff_required
from portal.context import context
from portal.db import get_session
from portal.sources.messages import error_message
from portal.storage import document_store
from rights.audit import Actor, record
from rights.deadlines import AMSTERDAM
from rights.errors import DomainError
from rights.keys import SourceKeys
from rights.models.case import Document
from rights.models.org import Organisation
from rights.models.request import RightsRequest
from rights.models.source import (
    ActionKind,
    DataFileUpload,
    DataSource,
    SourceAction,
    SourceKind,
    SourceTask,
    SubjectMatch,
)
from rights.sources import fulfilment
from rights.sources.ingest import ingest_data_file
from rights.sources.registry import load_source, parse_source_toml, set_source_url
from rights.sources.tasks import overdue_tasks

bp = Blueprint("sources", __name__, url_prefix="/staff")


def _key() -> SourceKeys:
    return context().source_keys()


def _actor() -> Actor:
    return Actor.user(int(current_user.id))


def _fail(exc: DomainError) -> None:
    get_session().rollback()
    flash(error_message(exc), "error")


def _source(slug: str) -> DataSource:
    source = get_session().scalar(select(DataSource).where(DataSource.slug == slug))
    if source is None:
        abort(404)
    return source


def _upload_field() -> FileStorage | None:
    upload = request.files.get("file")
    return upload if upload is not None and upload.filename else None


# -- registry (admins) -----------------------------------------------------------------


@bp.get("/sources/")
@admin_required
def source_list() -> str:
    session = get_session()
    sources = session.scalars(select(DataSource).order_by(DataSource.name)).all()
    return render_template("sources/list.html", sources=sources)


@bp.post("/sources/")
@admin_required
def source_load() -> Response:
    text = request.form.get("definition", "")
    url = request.form.get("url", "").strip() or None
    try:
        spec = parse_source_toml(text)
        source = load_source(
            get_session(),
            spec,
            actor=_actor(),
            now=clock.now(),
            key=context().connector_key(),
            url=url,
        )
    except DomainError as exc:
        _fail(exc)
        return redirect(url_for("sources.source_list"))
    get_session().commit()
    flash(_("The source was saved."), "info")
    return redirect(url_for("sources.source_detail", slug=source.slug))


@bp.get("/sources/<slug>")
@admin_required
def source_detail(slug: str) -> str:
    source = _source(slug)
    files = (
        get_session()
        .scalars(
            select(DataFileUpload)
            .where(DataFileUpload.source_id == source.id)
            .order_by(DataFileUpload.uploaded_at.desc())
        )
        .all()
    )
    return render_template("sources/detail.html", source=source, files=files)


@bp.post("/sources/<slug>/check")
@admin_required
def source_check(slug: str) -> Response:
    source = _source(slug)
    if source.kind is not SourceKind.SQL:
        abort(404)
    try:
        sql = fulfilment.open_sql(source, key=_key())
        try:
            sql.check()
        finally:
            sql.dispose()
    except DomainError as exc:
        _fail(exc)
    else:
        flash(_("The database answers and every mapped table and column exists."), "info")
    return redirect(url_for("sources.source_detail", slug=slug))


@bp.post("/sources/<slug>/url")
@admin_required
def source_set_url(slug: str) -> Response:
    source = _source(slug)
    if source.kind is not SourceKind.SQL:
        abort(404)
    try:
        set_source_url(source, request.form.get("url", "").strip(), key=context().connector_key())
    except DomainError as exc:
        _fail(exc)
        return redirect(url_for("sources.source_detail", slug=slug))
    record(
        get_session(),
        "source.url_changed",
        actor=_actor(),
        now=clock.now(),
        object_type="data_source",
        object_id=source.id,
    )
    get_session().commit()
    flash(_("The database URL was saved (encrypted)."), "info")
    return redirect(url_for("sources.source_detail", slug=slug))


@bp.post("/sources/<slug>/upload")
@admin_required
def source_upload(slug: str) -> Response:
    source = _source(slug)
    upload = _upload_field()
    if source.kind is not SourceKind.FILE:
        abort(404)
    if upload is None:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("sources.source_detail", slug=slug))
    days_text = request.form.get("retention_days", "").strip()
    if days_text and not days_text.isdigit():
        flash(_("The retention period must be 1 to 3650 days."), "error")
        return redirect(url_for("sources.source_detail", slug=slug))
    roles: dict[str, str | None] = {}
    for line in request.form.get("roles", "").splitlines():
        column, sep, role = line.partition("=")
        if sep and column.strip():
            roles[column.strip()] = role.strip() or None
    try:
        stored = ingest_data_file(
            get_session(),
            source,
            upload.stream,  # type: ignore[arg-type]
            upload.filename or "upload",
            actor=_actor(),
            now=clock.now(),
            uploaded_by_id=int(current_user.id),
            retention_days=int(days_text) if days_text else None,
            column_roles=roles or None,
        )
    except DomainError as exc:
        _fail(exc)
        return redirect(url_for("sources.source_detail", slug=slug))
    get_session().commit()
    flash(_("%(rows)s rows were imported.", rows=stored.row_count), "info")
    return redirect(url_for("sources.source_detail", slug=slug))


@bp.route("/sources/suppression", methods=["GET", "POST"])
@admin_required
def suppression_filter() -> str | Response:
    session = get_session()
    orgs = session.scalars(select(Organisation).order_by(Organisation.name)).all()
    if request.method == "GET":
        return render_template("sources/suppression.html", orgs=orgs)
    org = session.get(Organisation, request.form.get("organisation", type=int) or 0)
    upload = _upload_field()
    if org is None or upload is None:
        flash(_("Choose an organisation and a mailing file."), "error")
        return render_template("sources/suppression.html", orgs=orgs), 422  # type: ignore[return-value]
    try:
        result = filter_mailing(
            context(),
            org,
            upload.stream,  # type: ignore[arg-type]
            upload.filename or "mailing",
        )
    except DomainError as exc:
        _fail(exc)
        return render_template("sources/suppression.html", orgs=orgs), 422  # type: ignore[return-value]
    session.commit()
    name = f"mailing-filtered-{result.kept}-kept-{result.removed}-removed.csv"
    return Response(
        result.csv_bytes,
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Suppressed-Count": str(result.removed),
            "X-Kept-Count": str(result.kept),
        },
    )


# -- a request's data (officers) -------------------------------------------------------


def _request(reference: str) -> RightsRequest:
    found = get_session().scalar(select(RightsRequest).where(RightsRequest.reference == reference))
    if found is None:
        abort(404)
    return found


def _data_page(reference: str) -> Response:
    return redirect(url_for("sources.request_data", reference=reference))


@bp.get("/requests/<reference>/data")
@staff_required
def request_data(reference: str) -> str:
    session = get_session()
    req = _request(reference)
    matches = session.scalars(
        select(SubjectMatch)
        .where(SubjectMatch.request_id == req.id)
        .order_by(SubjectMatch.source_id, SubjectMatch.id)
    ).all()
    actions = session.scalars(
        select(SourceAction).where(SourceAction.request_id == req.id).order_by(SourceAction.id)
    ).all()
    tasks = session.scalars(
        select(SourceTask).where(SourceTask.request_id == req.id).order_by(SourceTask.id)
    ).all()
    sources = session.scalars(
        select(DataSource).where(DataSource.active.is_(True)).order_by(DataSource.name)
    ).all()
    task_files = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.id.in_([t.document_id for t in tasks if t.document_id]))
        )
    }
    values, errors = fulfilment.match_values(session, matches, key=_key())
    for slug, code in errors:
        flash(error_message(DomainError(code=code, source=slug)), "error")
    if matches:
        # Showing the subject's data is a view of personal data: audited (SECURITY.md).
        record(
            session,
            "sources.data_viewed",
            actor=_actor(),
            now=clock.now(),
            request_id=req.id,
            data={"matches": len(matches)},
        )
        session.commit()
    return render_template(
        "sources/request_data.html",
        req=req,
        matches=[{"match": m, "values": values.get(m.id)} for m in matches],
        actions=actions,
        tasks=tasks,
        task_files=task_files,
        overdue=overdue_tasks(session, req.id, clock.now().astimezone(AMSTERDAM).date()),
        sources=sources,
        kinds=list(ActionKind),
        summary=fulfilment.erasure_summary(session, req),
        controllers=fulfilment.controllers_found(session, req),
    )


@bp.post("/requests/<reference>/data/discover")
@staff_required
def request_discover(reference: str) -> Response:
    req = _request(reference)
    report = fulfilment.discover(get_session(), req, actor=_actor(), now=clock.now(), key=_key())
    get_session().commit()
    flash(_("%(found)s places found, %(new)s new.", found=report.found, new=report.new), "info")
    for slug, code in report.errors:
        flash(
            error_message(DomainError(code=code, source=slug))
            + " "
            + _("Other sources were searched."),
            "error",
        )
    return _data_page(reference)


@bp.post("/requests/<reference>/data/matches/<int:match_id>")
@staff_required
def request_decide(reference: str, match_id: int) -> Response:
    req = _request(reference)
    match = get_session().get(SubjectMatch, match_id)
    decision = request.form.get("decision")
    if match is None or match.request_id != req.id or decision not in ("confirm", "reject"):
        abort(404)
    fulfilment.decide_match(
        get_session(), match, confirm=decision == "confirm", actor=_actor(), now=clock.now()
    )
    get_session().commit()
    return _data_page(reference)


@bp.post("/requests/<reference>/data/actions")
@staff_required
def request_prepare(reference: str) -> Response:
    session = get_session()
    req = _request(reference)
    try:
        kind = ActionKind(request.form.get("kind", ""))
    except ValueError:
        abort(400)
    source_id = request.form.get("source", type=int)
    source = session.get(DataSource, source_id) if source_id else None
    params = {
        k: request.form.get(k, "").strip()
        for k in ("table", "column", "value", "statement")
        if request.form.get(k, "").strip()
    }
    try:
        action = fulfilment.prepare_action(
            session, req, source, kind, actor=_actor(), now=clock.now(), key=_key(), params=params
        )
    except DomainError as exc:
        _fail(exc)
        return _data_page(reference)
    session.commit()
    flash(_("Preview ready: check it, then execute."), "info")
    return redirect(url_for("sources.request_data", reference=reference) + f"#action-{action.id}")


@bp.post("/requests/<reference>/data/actions/<int:action_id>/execute")
@staff_required
def request_execute(reference: str, action_id: int) -> Response:
    session = get_session()
    req = _request(reference)
    action = session.get(SourceAction, action_id)
    if action is None or action.request_id != req.id:
        abort(404)
    try:
        fulfilment.execute_action(
            session, action, actor=_actor(), now=clock.now(), key=_key(), language=req.language
        )
    except DomainError as exc:
        _fail(exc)
        return _data_page(reference)
    session.commit()
    flash(_("The action was carried out as previewed."), "info")
    return _data_page(reference)


@bp.post("/requests/<reference>/data/tasks/<int:task_id>")
@staff_required
def request_task_done(reference: str, task_id: int) -> Response:
    session = get_session()
    req = _request(reference)
    task = session.get(SourceTask, task_id)
    if task is None or task.request_id != req.id:
        abort(404)
    try:
        fulfilment.complete_task(
            session, task, answer=request.form.get("answer", ""), actor=_actor(), now=clock.now()
        )
    except DomainError as exc:
        _fail(exc)
        return _data_page(reference)
    session.commit()
    return _data_page(reference)


@bp.get("/requests/<reference>/data/tasks/<int:task_id>/file")
@staff_required
def request_task_file(reference: str, task_id: int) -> Response:
    """The file a manual source's named person sent: to staff only, as an attachment."""
    session = get_session()
    req = _request(reference)
    task = session.get(SourceTask, task_id)
    if task is None or task.request_id != req.id or task.document_id is None:
        abort(404)
    doc = session.get(Document, task.document_id)
    if doc is None or doc.request_id != req.id:
        abort(404)
    data = document_store().read(doc)  # Gone (410) once deleted
    record(
        session,
        "document.downloaded",
        actor=_actor(),
        now=clock.now(),
        request_id=req.id,
        object_type="document",
        object_id=doc.id,
        data={"task_id": task.id, "sha256": doc.sha256},
    )
    session.commit()
    response = Response(data, mimetype=doc.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=doc.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
