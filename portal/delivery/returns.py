"""Return of data (Art. 28(3)(g) GDPR), staff side: build a controller's return-of-data
package and release, revoke or re-issue it (four eyes: the builder cannot release)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from operations.packages import build_return_package
from portal import clock
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.delivery.forms import ActionForm
from rights import packages
from rights.audit import Actor
from rights.models.org import Organisation, OrganisationKind
from rights.models.package import Package, PackageKind

bp = Blueprint("delivery_returns", __name__, url_prefix="/staff/sources/returns")


class ReturnForm(FlaskForm):
    organisation = SelectField(
        _l("Controller"), validators=[DataRequired(_l("Choose a controller."))]
    )
    language = SelectField(
        _l("Language of the package"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        default="nl",
    )


def _controllers() -> list[Organisation]:
    return list(
        get_session().scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CONTROLLER)
            .order_by(Organisation.name)
        )
    )


def _form(controllers: list[Organisation]) -> ReturnForm:
    form = ReturnForm()
    form.organisation.choices = [SelectChoice(o.slug, o.name) for o in controllers]
    return form


def _package(package_id: int) -> Package:
    package = get_session().get(Package, package_id)
    if package is None or package.kind != PackageKind.RETURN:
        abort(404)
    return package


@bp.get("/")
@staff_required
def index() -> str:
    controllers = _controllers()
    rows = get_session().scalars(
        select(Package)
        .where(Package.kind == PackageKind.RETURN)
        .order_by(Package.id.desc())
        .limit(200)
    )
    return render_template(
        "delivery/staff_returns.html",
        packages=list(rows),
        form=_form(controllers),
        action_form=ActionForm(),
        now=clock.now(),
    )


@bp.post("/build")
@staff_required
def build() -> Response:
    form = _form(_controllers())
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    organisation = session.scalar(
        select(Organisation).where(
            Organisation.slug == form.organisation.data,
            Organisation.kind == OrganisationKind.CONTROLLER,
        )
    )
    if organisation is None:
        abort(404)
    build_return_package(context(), organisation, language=form.language.data or "nl")
    session.commit()
    flash(_("The return-of-data package was built. A second officer must release it."))
    return redirect(url_for("delivery_returns.index"))


def _act(package_id: int, action: str) -> Response:
    package = _package(package_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    operation = {
        "release": packages.release_package,
        "revoke": packages.revoke_package,
        "reissue": packages.reissue_package,
    }[action]
    operation(session, package, actor=Actor.user(current_user.id), now=clock.now())
    session.commit()
    flash(
        {
            "release": _("The package was released to the controller."),
            "revoke": _("The package was revoked; its download links no longer work."),
            "reissue": _("The package was released to the controller again."),
        }[action]
    )
    return redirect(url_for("delivery_returns.index"))


@bp.post("/<int:package_id>/release")
@staff_required
def release(package_id: int) -> Response:
    return _act(package_id, "release")


@bp.post("/<int:package_id>/revoke")
@staff_required
def revoke(package_id: int) -> Response:
    return _act(package_id, "revoke")


@bp.post("/<int:package_id>/reissue")
@staff_required
def reissue(package_id: int) -> Response:
    return _act(package_id, "reissue")
