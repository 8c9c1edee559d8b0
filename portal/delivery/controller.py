"""The controller's packages: released packages of its own organisation's requests, and its
return-of-data exports (Art. 28(3)(g) GDPR), and nothing of any other organisation."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import clock
from portal.auth.guards import controller_required
from portal.db import get_session
from portal.delivery.forms import ActionForm
from portal.delivery.views import zip_response
from portal.loading import get_or_404
from portal.packages import verified_chunks
from rights import packages
from rights.audit import Actor
from rights.models.package import Package, PackageKind
from rights.readmodels.controller import controller_packages

bp = Blueprint("delivery_controller", __name__, url_prefix="/controller/packages")


def _own(package_id: int) -> Package:
    """The package if it belongs to the user's organisation (a request of it, or its return
    export); 404 otherwise."""
    package = get_or_404(Package, package_id)
    if package.kind == PackageKind.RETURN:
        owner = package.organisation_id
    else:
        owner = package.request.organisation_id if package.request is not None else None
    if current_user.organisation_id is None or owner != current_user.organisation_id:
        abort(404)
    return package


@bp.get("/")
@controller_required
def index() -> str:
    lists = controller_packages(get_session(), current_user.organisation_id, clock.now())
    return render_template(
        "delivery/controller_packages.html",
        packages=lists.packages,
        returns=lists.returns,
        form=ActionForm(),
    )


@bp.post("/<int:package_id>/download")
@controller_required
def download(package_id: int) -> Response:
    package = _own(package_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    now = clock.now()
    packages.downloadable(package, now)
    chunks = verified_chunks(session, package, now)
    packages.record_download(
        session, package, actor=Actor.user(current_user.id), now=now, via="controller"
    )
    session.commit()
    return zip_response(package, chunks)
