"""Pages: the source registry and uploads (admins) and the suppression filter. A request's
data pages (officers) are in ``data_views.py``; both attach to the ``sources`` blueprint."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from operations.mailing import filter_mailing
from portal import clock
from portal.auth.guards import admin_required
from portal.context import context
from portal.db import get_session
from portal.formfields import first_error
from portal.sources.blueprint import actor, bp, fail
from portal.sources.forms import (
    MAILING,
    ButtonForm,
    MailingForm,
    SourceForm,
    SourceUrlForm,
    UploadForm,
)
from rights.audit import record
from rights.errors import DomainError
from rights.models.org import Organisation
from rights.models.source import DataFileUpload, DataSource, SourceKind
from rights.sources import fulfilment
from rights.sources.ingest import ingest_data_file
from rights.sources.registry import load_source, parse_source_toml, set_source_url

__all__ = ["bp"]


def _source(slug: str, kind: SourceKind | None = None) -> DataSource:
    """The source with this slug (of this kind), or 404."""
    source = get_session().scalar(select(DataSource).where(DataSource.slug == slug))
    if source is None or (kind is not None and source.kind is not kind):
        abort(404)
    return source


def _detail(slug: str) -> Response:
    return redirect(url_for("sources.source_detail", slug=slug))


def _refused(form: ButtonForm | SourceForm | SourceUrlForm | UploadForm) -> bool:
    """Flash the first problem of a form that does not validate."""
    if form.validate_on_submit():
        return False
    flash(first_error(form), "error")
    return True


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
    form = SourceForm()
    if _refused(form):
        return redirect(url_for("sources.source_list"))
    ctx = context()
    try:
        spec = parse_source_toml(form.definition.data)
        source = load_source(
            ctx.session, spec, actor=actor(), now=clock.now(), key=ctx.connector_key(),
            url=form.url.data or None, policy=ctx.source_url_policy(),
        )  # fmt: skip
    except DomainError as exc:
        fail(exc)
        return redirect(url_for("sources.source_list"))
    get_session().commit()
    flash(_("The source was saved."), "info")
    return _detail(source.slug)


@bp.get("/sources/<slug>")
@admin_required
def source_detail(slug: str) -> str:
    source = _source(slug)
    files = get_session().scalars(
        select(DataFileUpload)
        .where(DataFileUpload.source_id == source.id)
        .order_by(DataFileUpload.uploaded_at.desc())
    )
    return render_template("sources/detail.html", source=source, files=files.all())


@bp.post("/sources/<slug>/check")
@admin_required
def source_check(slug: str) -> Response:
    source = _source(slug, SourceKind.SQL)
    if _refused(ButtonForm()):
        return _detail(slug)
    try:
        sql = fulfilment.open_sql(source, key=context().source_keys())
        try:
            sql.check()
        finally:
            sql.dispose()
    except DomainError as exc:
        fail(exc)
    else:
        flash(_("The database answers and every mapped table and column exists."), "info")
    return _detail(slug)


@bp.post("/sources/<slug>/url")
@admin_required
def source_set_url(slug: str) -> Response:
    source, form = _source(slug, SourceKind.SQL), SourceUrlForm()
    if _refused(form):
        return _detail(slug)
    try:
        ctx = context()
        set_source_url(
            source, form.url.data, key=ctx.connector_key(), policy=ctx.source_url_policy()
        )
    except DomainError as exc:
        fail(exc)
        return _detail(slug)
    record(
        get_session(),
        "source.url_changed",
        actor=actor(),
        now=clock.now(),
        object_type="data_source",
        object_id=source.id,
    )
    get_session().commit()
    flash(_("The database URL was saved (encrypted)."), "info")
    return _detail(slug)


@bp.post("/sources/<slug>/upload")
@admin_required
def source_upload(slug: str) -> Response:
    source, form = _source(slug, SourceKind.FILE), UploadForm()
    if _refused(form):
        return _detail(slug)
    upload = form.file.data
    try:
        stored = ingest_data_file(
            get_session(),
            source,
            upload.stream,
            upload.filename or "upload",
            actor=actor(),
            now=clock.now(),
            uploaded_by_id=int(current_user.id),
            retention_days=form.days(),
            column_roles=form.column_roles(),
        )
    except DomainError as exc:
        fail(exc)
        return _detail(slug)
    get_session().commit()
    flash(ngettext("%(num)s row was imported.", "%(num)s rows were imported.", stored.row_count),
          "info")  # fmt: skip
    return _detail(slug)


def _mailing_page(status: int = 200) -> tuple[str, int]:
    orgs = get_session().scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("sources/suppression.html", orgs=orgs), status


@bp.route("/sources/suppression", methods=["GET", "POST"])
@admin_required
def suppression_filter() -> tuple[str, int] | Response:
    form = MailingForm()
    if not form.is_submitted():
        return _mailing_page()
    org = get_session().get(Organisation, form.organisation.data) if form.validate() else None
    if org is None:
        flash(first_error(form) if form.errors else str(MAILING), "error")
        return _mailing_page(422)
    try:
        result = filter_mailing(
            context(), org, form.file.data.stream, form.file.data.filename or "mailing"
        )
    except DomainError as exc:
        fail(exc)
        return _mailing_page(422)
    get_session().commit()
    return _mailing_csv(
        result.csv_bytes, kept=result.kept, removed=result.removed, restricted=result.restricted
    )


def _mailing_csv(data: bytes, *, kept: int, removed: int, restricted: int = 0) -> Response:
    name = f"mailing-filtered-{kept}-kept-{removed}-removed.csv"
    return Response(
        data,
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Suppressed-Count": str(removed),
            "X-Kept-Count": str(kept),
            "X-Restricted-Count": str(restricted),
        },
    )
