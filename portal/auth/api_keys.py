"""API keys of a controller on the admin organisation page (docs/api.md, "Keys"): make one
(shown once, on the result page only), revoke one after a confirmation. Every action is
audited by ``rights.opendsr.keys``."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import clock
from portal.auth.forms import ActionForm, ApiKeyForm
from portal.auth.guards import admin_required
from portal.auth.organisations import bp, controller_page, organisation_of
from portal.db import get_session
from portal.loading import get_or_404
from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.models.api import ApiKey
from rights.opendsr import keys


def _key(org_id: int, key_id: int) -> ApiKey:
    key = get_or_404(ApiKey, key_id)
    if key.organisation_id != org_id:
        abort(404)
    return key


@bp.post("/<int:org_id>/keys")
@admin_required
def create_key(org_id: int) -> Response | tuple[str, int]:
    org = organisation_of(org_id)
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return controller_page(org, key_form=form), 422
    try:
        issued = keys.create_key(
            get_session(),
            org,
            actor=Actor.user(current_user.id),
            now=clock.now(),
            label=form.label.data or "",
            created_by_id=current_user.id,
        )
    except ValidationFailed:
        get_session().rollback()
        form.label.errors = [_("The contract with this controller has ended: no new keys.")]
        return controller_page(organisation_of(org_id), key_form=form), 409
    get_session().commit()
    page = render_template(
        "admin/api_key_created.html", org=org, key=issued.key, secret=issued.secret
    )
    response = make_response(page, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:org_id>/keys/<int:key_id>/confirm-revoke")
@admin_required
def confirm_revoke(org_id: int, key_id: int) -> str:
    org, key = organisation_of(org_id), _key(org_id, key_id)
    return render_template("admin/api_key_revoke.html", org=org, key=key, form=ActionForm())


@bp.post("/<int:org_id>/keys/<int:key_id>/revoke")
@admin_required
def revoke_key(org_id: int, key_id: int) -> Response | tuple[str, int]:
    org, key = organisation_of(org_id), _key(org_id, key_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("admin/api_key_revoke.html", org=org, key=key, form=form), 400
    if key.revoked_at is None:
        actor = Actor.user(current_user.id)
        keys.revoke_key(get_session(), org, key.prefix, actor=actor, now=clock.now())
        get_session().commit()
    flash(_("The key %(prefix)s no longer opens anything.", prefix=key.prefix), "info")
    return redirect(url_for("organisations.detail", org_id=org_id))
