"""The controller's data files (docs/controllers.md, "Results back to the controller"):
designated contacts upload mailing files into their organisation's file sources through
the same ingest as the admin upload, see each file's retention date, look at its columns
(never its rows), delete one early, and download the certificate of every deletion. Other
users of the organisation see the lists only; an upload or a deletion is a 403 in words for
them. Everything is audited; anything of another organisation is a 404."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from operations.certificates import contract_end_json, deletion_json, download
from portal import clock
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller.blueprint import bp
from portal.controller.results_common import (
    contact_organisation,
    designated,
    organisation_id,
    refuse_undesignated,
    send,
)
from portal.controller.results_forms import ConfirmForm, FileUploadForm
from portal.db import get_session
from portal.formfields import first_error
from portal.sources.messages import error_message
from rights.audit import Actor, record
from rights.controllers import datafiles
from rights.controllers.certificates import contract_end_certificate, processor_name
from rights.controllers.contract import contract_ended_on
from rights.errors import DomainError, NotFound
from rights.sources.ingest import ingest_data_file

LIST = "controller.files"


def _files_page(status: int = 200) -> tuple[str, int]:
    """The lists and the upload form; once the contract ended, a notice instead of the form."""
    session, org_id = get_session(), organisation_id()
    return render_template(
        "controller/files.html",
        organisation=contact_organisation(),
        sources=datafiles.file_sources(session, org_id),
        files=datafiles.organisation_files(session, org_id),
        deletions=datafiles.file_deletions(session, org_id),
        may_instruct=designated() is not None,
        form=FileUploadForm(),
    ), status


@bp.get("/files/")
@controller_required
def files() -> tuple[str, int]:
    return _files_page()


def _contract_ended() -> bool:
    return contract_ended_on(contact_organisation()) is not None


def _upload(form: FileUploadForm, actor: Actor) -> str:
    session, org_id = get_session(), organisation_id()
    sources = datafiles.file_sources(session, org_id)
    source = next((s for s in sources if s.id == form.source.data), None)
    if source is None:
        raise NotFound("no such source", code="not_found")
    upload = form.file.data
    stored = ingest_data_file(
        session, source, upload.stream, upload.filename or "upload",
        actor=actor, now=clock.now(), uploaded_by_id=actor.id,
    )  # fmt: skip
    return str(
        ngettext(
            "%(file)s: %(num)s row was stored.",
            "%(file)s: %(num)s rows were stored.",
            stored.row_count,
            file=stored.filename,
        )
    )


@bp.post("/files/upload")
@controller_required
def files_upload() -> Response | tuple[str, int]:
    contact, form = designated(), FileUploadForm()
    if contact is None:
        return refuse_undesignated()
    if _contract_ended():  # the page says so where the form was (ingest refuses it too)
        return _files_page(409)
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(url_for(LIST), 303)
    try:
        message = _upload(form, Actor.user(contact.id))
    except NotFound:
        raise
    except DomainError as exc:
        get_session().rollback()
        flash(error_message(exc), "error")
        return redirect(url_for(LIST), 303)
    get_session().commit()
    flash(message, "info")
    return redirect(url_for(LIST), 303)


@bp.get("/files/<int:file_id>")
@controller_required
def file_detail(file_id: int) -> str:
    session = get_session()
    upload = datafiles.own_file(session, organisation_id(), file_id)
    record(
        session, "data_file.viewed", actor=context().actor, now=clock.now(),
        object_type="data_file", object_id=upload.id, data={"source_id": upload.source_id},
    )  # fmt: skip
    session.commit()
    return render_template(
        "controller/files_detail.html",
        upload=upload,
        may_instruct=designated() is not None,
        form=ConfirmForm(),
    )


@bp.post("/files/<int:file_id>/delete")
@controller_required
def file_delete(file_id: int) -> Response | tuple[str, int]:
    session = get_session()
    upload = datafiles.own_file(session, organisation_id(), file_id)  # another's file: 404
    contact, form = designated(), ConfirmForm()
    if contact is None:
        return refuse_undesignated()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(url_for("controller.file_detail", file_id=file_id), 303)
    deletion = datafiles.delete_data_file(
        session, upload, datafiles.DeletionReason.EARLY,
        actor=Actor.user(contact.id), now=clock.now(),
    )  # fmt: skip
    session.commit()
    message = _("%(file)s and its rows were deleted.", file=deletion.filename)
    flash(message, "info")
    return redirect(url_for(LIST), 303)


def _deletion(deletion_id: int, fmt: str) -> Response:
    ctx = context()
    org_id = organisation_id()
    deletion = datafiles.own_deletion(ctx.session, org_id, deletion_id)
    payload = deletion_json(
        deletion, controller=contact_organisation().name, processor=processor_name(ctx.session)
    )
    rendered = download(ctx, payload, deletion, fmt, object_id=deletion.id)
    ctx.session.commit()
    return send(rendered)


@bp.get("/files/deletions/<int:deletion_id>.pdf")
@controller_required
def deletion_pdf(deletion_id: int) -> Response:
    return _deletion(deletion_id, "pdf")


@bp.get("/files/deletions/<int:deletion_id>.json")
@controller_required
def deletion_json_download(deletion_id: int) -> Response:
    return _deletion(deletion_id, "json")


def _contract_end(fmt: str) -> Response:
    ctx = context()
    organisation = contact_organisation()
    cert = contract_end_certificate(ctx.session, organisation)
    rendered = download(ctx, contract_end_json(cert), cert, fmt, object_id=organisation.id)
    ctx.session.commit()
    return send(rendered)


@bp.get("/files/contract-end.pdf")
@controller_required
def contract_end_pdf() -> Response:
    return _contract_end("pdf")


@bp.get("/files/contract-end.json")
@controller_required
def contract_end_json_download() -> Response:
    return _contract_end("json")
