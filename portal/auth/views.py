"""Login and logout for officers, admins and controller contacts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth.forms import LoginForm
from portal.db import get_session
from portal.security import is_safe_next, limiter
from rights import audit
from rights.audit import Actor
from rights.db import now_utc
from rights.models.org import Role, User
from rights.users import check_password, rotate_session_nonce

bp = Blueprint("auth", __name__, url_prefix="/auth")


def home_for(user: User) -> str:
    return url_for("controller.index" if user.role is Role.CONTROLLER else "staff.queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = check_password(session, form.email.data or "", form.password.data or "")
        now = now_utc()
        if user is None:
            audit.record(session, "auth.login_failed", actor=Actor("anonymous"), now=now)
            session.commit()
            flash(_("E-mail address or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 200
        user.last_login_at = now
        audit.record(session, "auth.login", actor=Actor.user(user.id), now=now)
        session.commit()
        login_user(user)
        target = request.args.get("next")
        return redirect(target if is_safe_next(target) else home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        session = get_session()
        user = session.get(User, current_user.id)
        if user is not None:
            rotate_session_nonce(user)
            audit.record(session, "auth.logout", actor=Actor.user(user.id), now=now_utc())
            session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
