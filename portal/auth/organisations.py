"""Organisation settings for admins: the list of organisations and a controller's terms
(docs/controllers.md, "Organisations as controllers"). Every change is audited with the
names of the fields that changed (``rights.organisations``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import clock
from portal.auth.forms import ANSWERING_LABELS, ApiKeyForm, TermsForm
from portal.auth.guards import admin_required
from portal.db import get_session
from portal.loading import get_or_404
from rights import organisations
from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.models.org import Organisation, OrganisationKind
from rights.opendsr.keys import keys_of

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")

KIND_LABELS = {
    OrganisationKind.OPERATOR: _l("The operator (controller of its own data)"),
    OrganisationKind.CONTROLLER: _l("Controller (client of the operator)"),
}


def _form_for(org: Organisation) -> TermsForm:
    terms = organisations.Terms.of(org)
    data = {**terms.__dict__, "answering": terms.answering.value}
    data["sub_processors"] = organisations.format_sub_processors(terms.sub_processors)
    data["callback_allowlist"] = "\n".join(terms.callback_allowlist)
    return TermsForm(formdata=None, data=data)


def organisation_of(org_id: int) -> Organisation:
    """The controller with this id (404 for the operator or an unknown id)."""
    org = get_or_404(Organisation, org_id)
    if org.kind is not OrganisationKind.CONTROLLER:
        abort(404)
    return org


def controller_page(
    org: Organisation, form: TermsForm | None = None, key_form: ApiKeyForm | None = None
) -> str:
    """The organisation page: terms, contacts and API keys."""
    return render_template(
        "admin/organisation.html",
        org=org,
        form=form or _form_for(org),
        key_form=key_form or ApiKeyForm(formdata=None),
        contacts=organisations.contacts(get_session(), org),
        keys=keys_of(get_session(), org),
    )


@bp.get("/")
@admin_required
def index() -> str:
    return render_template(
        "admin/organisations.html",
        organisations=organisations.all_organisations(get_session()),
        kinds=KIND_LABELS,
        answering=ANSWERING_LABELS,
    )


@bp.get("/<int:org_id>")
@admin_required
def detail(org_id: int) -> str:
    org = organisation_of(org_id)
    return controller_page(org)


@bp.post("/<int:org_id>/terms")
@admin_required
def save(org_id: int) -> str | Response | tuple[str, int]:
    org = organisation_of(org_id)
    form = TermsForm()
    if not form.validate_on_submit():
        return controller_page(org, form), 422
    try:
        changed = organisations.update_terms(
            get_session(), org, form.terms(), actor=Actor.user(current_user.id), now=clock.now()
        )
    except ValidationFailed as exc:
        get_session().rollback()
        form.refused(exc)
        return controller_page(organisation_of(org_id), form), 422
    get_session().commit()
    flash(_("The terms were saved.") if changed else _("Nothing was changed."), "info")
    return redirect(url_for("organisations.detail", org_id=org_id))
