"""Minimal officer endpoints for packages; the case page links here (four eyes: the
officer who built a package cannot release it)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from operations.packages import build_request_package, collect_export_package, default_formats
from portal import clock
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.delivery.forms import ActionForm, BuildForm
from portal.errors import render_error
from portal.staff import labels
from rights import packages
from rights.audit import Actor
from rights.errors import DomainError
from rights.models.package import Package, PackageStatus
from rights.models.request import RightsRequest

bp = Blueprint("delivery_staff", __name__, url_prefix="/staff/requests/<reference>/packages")


def _request(reference: str) -> RightsRequest:
    found = get_session().scalar(select(RightsRequest).where(RightsRequest.reference == reference))
    if found is None:
        abort(404)
    return found


def _package(rights_request: RightsRequest, package_id: int) -> Package:
    package = get_session().get(Package, package_id)
    if package is None or package.request_id != rights_request.id:
        abort(404)
    return package


def _held(rows: list[Package]) -> set[int]:
    """The built packages that wait for the controller's approval (no release button)."""
    session = get_session()
    built = (p for p in rows if p.status is PackageStatus.BUILT)
    return {p.id for p in built if packages.package_hold(session, p)}


def _back(reference: str) -> Response:
    return redirect(url_for("delivery_staff.index", reference=reference))


@bp.get("/")
@staff_required
def index(reference: str) -> str:
    rights_request = _request(reference)
    rows = get_session().scalars(
        select(Package).where(Package.request_id == rights_request.id).order_by(Package.id.desc())
    )
    form = BuildForm(data={"formats": list(default_formats(rights_request))})
    found = list(rows)
    return render_template(
        "delivery/staff_packages.html",
        request_=rights_request,
        packages=found,
        held=_held(found),
        build_form=form,
        action_form=ActionForm(),
        now=clock.now(),
    )


@bp.post("/build")
@staff_required
def build(reference: str) -> Response:
    rights_request = _request(reference)
    form = BuildForm()
    if not form.validate_on_submit():
        abort(400)
    ctx = context()
    export = collect_export_package(ctx, rights_request)
    build_request_package(ctx, rights_request, export, formats=form.formats.data or None)
    ctx.session.commit()
    flash(_("The package was built. A second officer must release it."))
    return _back(reference)


def _act(reference: str, package_id: int, action: str) -> Response | tuple[str, int]:
    rights_request = _request(reference)
    package = _package(rights_request, package_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    operation = {
        "release": packages.release_package,
        "revoke": packages.revoke_package,
        "reissue": packages.reissue_package,
    }[action]
    try:
        operation(session, package, actor=Actor.user(current_user.id), now=clock.now())
    except DomainError as exc:  # the refusal in words (four eyes, the controller's approval)
        session.rollback()
        return render_error(exc.http_status, labels.error_text(exc.code))
    session.commit()
    flash(
        {
            "release": _("The package was released to the data subject."),
            "revoke": _("The package was revoked; its download links no longer work."),
            "reissue": _("The package was issued again with a new download link."),
        }[action]
    )
    return _back(reference)


@bp.post("/<int:package_id>/release")
@staff_required
def release(reference: str, package_id: int) -> Response | tuple[str, int]:
    return _act(reference, package_id, "release")


@bp.post("/<int:package_id>/revoke")
@staff_required
def revoke(reference: str, package_id: int) -> Response | tuple[str, int]:
    return _act(reference, package_id, "revoke")


@bp.post("/<int:package_id>/reissue")
@staff_required
def reissue(reference: str, package_id: int) -> Response | tuple[str, int]:
    return _act(reference, package_id, "reissue")
