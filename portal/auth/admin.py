"""User management for admins: list, invite, change role and organisation, disable and
enable, reset the second factor, unlock. Every change is audited and the user is mailed."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice

from portal import clock
from portal.auth.forms import ActionForm, InviteForm, RoleForm
from portal.auth.guards import admin_required
from portal.db import get_session
from portal.loading import MAX_INT_ID, get_or_404, parse_id
from portal.security import limiter
from rights import administration as accounts
from rights.audit import Actor
from rights.errors import Conflict, ValidationFailed
from rights.models.org import Organisation, Role, User
from rights.users import set_designated

bp = Blueprint("users", __name__, url_prefix="/admin/users")

ROLE_LABELS = {
    Role.OFFICER: _l("Privacy officer"),
    Role.ADMIN: _l("Administrator"),
    Role.CONTROLLER: _l("Controller contact"),
}


class DesignatedForm(ActionForm):
    designated = BooleanField(
        _l("Designated contact: may decide on requests for this organisation")
    )


def _choices(form: InviteForm | RoleForm) -> None:
    form.role.choices = [SelectChoice(r.value, str(label)) for r, label in ROLE_LABELS.items()]
    form.organisation.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(org.id), org.name) for org in accounts.controllers(get_session())
    ]


def _organisation(value: str | None) -> Organisation | None:
    """The chosen organisation (the select offers only existing ones), or None."""
    org_id = parse_id(value, MAX_INT_ID)
    return get_session().get(Organisation, org_id) if org_id else None


def _target(user_id: int) -> User:
    return get_or_404(User, user_id)


def _actor() -> Actor:
    return Actor.user(current_user.id)


@bp.get("/")
@admin_required
def index() -> str:
    return render_template(
        "admin/users.html",
        users=accounts.all_users(get_session()),
        labels=ROLE_LABELS,
        now=clock.now(),
    )


@bp.route("/invite", methods=["GET", "POST"])
@admin_required
@limiter.limit("30 per hour", methods=["POST"])
def invite() -> str | Response | tuple[str, int]:
    form = InviteForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = accounts.invite_user(
                get_session(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                organisation=_organisation(form.organisation.data),
                language=form.language.data or "nl",
                now=clock.now(),
                actor=_actor(),
            )
        except (ValidationFailed, Conflict) as exc:
            get_session().rollback()
            form.refused(exc.code)
            return render_template("admin/invite.html", form=form), 422
        get_session().commit()
        flash(_("The invitation was sent to %(email)s.", email=user.email), "info")
        return redirect(url_for("users.detail", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.get("/<int:user_id>")
@admin_required
def detail(user_id: int) -> str:
    user = _target(user_id)
    form = RoleForm(
        formdata=None, role=user.role.value, organisation=str(user.organisation_id or "")
    )
    _choices(form)
    return _detail_page(user, form)


def _detail_page(user: User, form: RoleForm) -> str:
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        action=ActionForm(),
        designated=DesignatedForm(formdata=None, designated=user.designated),
        labels=ROLE_LABELS,
        enrolled=accounts.is_enrolled(user),
        locked=accounts.is_locked(user, clock.now()),
        is_self=user.id == current_user.id,
    )


@bp.post("/<int:user_id>/role")
@admin_required
def change_role(user_id: int) -> str | Response | tuple[str, int]:
    user = _target(user_id)
    form = RoleForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            accounts.change_role(
                get_session(),
                user,
                Role(form.role.data),
                organisation=_organisation(form.organisation.data),
                now=clock.now(),
                actor=_actor(),
            )
        except ValidationFailed as exc:
            get_session().rollback()
            form.refused(exc.code)
            return _detail_page(_target(user_id), form), 422
        get_session().commit()
        flash(_("The role was saved and the user was told by e-mail."), "info")
        return redirect(url_for("users.detail", user_id=user.id))
    return _detail_page(user, form), 422


def _action(
    user_id: int, apply: Callable[[User], object], done: str, form: ActionForm | None = None
) -> Response | tuple[str, int]:
    user = _target(user_id)
    form = form or ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        apply(user)
    except (ValidationFailed, Conflict):
        get_session().rollback()
        flash(_("This is not possible for this account."), "error")
        return redirect(url_for("users.detail", user_id=user_id))
    get_session().commit()
    flash(done, "info")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.post("/<int:user_id>/disable")
@admin_required
def disable(user_id: int) -> Response | tuple[str, int]:
    return _action(
        user_id,
        lambda u: accounts.set_active(get_session(), u, False, now=clock.now(), actor=_actor()),
        _("The account is disabled; every session of it has ended."),
    )


@bp.post("/<int:user_id>/enable")
@admin_required
def enable(user_id: int) -> Response | tuple[str, int]:
    return _action(
        user_id,
        lambda u: accounts.set_active(get_session(), u, True, now=clock.now(), actor=_actor()),
        _("The account is enabled again."),
    )


@bp.post("/<int:user_id>/reset-factor")
@admin_required
def reset_factor(user_id: int) -> Response | tuple[str, int]:
    return _action(
        user_id,
        lambda u: accounts.admin_reset_factor(get_session(), u, now=clock.now(), actor=_actor()),
        _("The second factor was reset; the user sets up a new one at the next login."),
    )


@bp.post("/<int:user_id>/unlock")
@admin_required
def unlock(user_id: int) -> Response | tuple[str, int]:
    return _action(
        user_id,
        lambda u: accounts.admin_unlock(get_session(), u, now=clock.now(), actor=_actor()),
        _("The account is unlocked."),
    )


@bp.post("/<int:user_id>/reinvite")
@admin_required
@limiter.limit("30 per hour")
def reinvite(user_id: int) -> Response | tuple[str, int]:
    return _action(
        user_id,
        lambda u: accounts.reinvite(get_session(), u, now=clock.now(), actor=_actor()),
        _("A new invitation was sent; earlier links no longer work."),
    )


@bp.post("/<int:user_id>/designated")
@admin_required
def designate(user_id: int) -> Response | tuple[str, int]:
    form = DesignatedForm()
    on = bool(form.designated.data)
    return _action(
        user_id,
        lambda u: set_designated(get_session(), u, on, now=clock.now(), actor=_actor()),
        _("The designation was saved and the user was told by e-mail."),
        form,
    )
