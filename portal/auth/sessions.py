"""Two-step login state and session lifetime (docs/security.md, "Authentication and sessions").

After the password step the browser holds only a *pending* marker (user id, session nonce,
time): Flask-Login does not know the user, so no page that needs login opens. The nonce in
the marker and in the login cookie is checked against the database on every request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from portal import clock
from portal.context import context
from portal.db import get_session
from portal.security import is_safe_next, login_manager
from rights.crypto import PurposeKey
from rights.models.org import Role, User

PENDING_MAX_AGE = timedelta(minutes=10)


def encryption_key() -> PurposeKey:
    """The key of the encrypted TOTP seeds (the Context picks it)."""
    return context().seed_key()


def home_for(user: User) -> str:
    return url_for("controller.index" if user.role is Role.CONTROLLER else "staff.queue")


def _fresh_session() -> None:
    """Drop everything but the chosen language (no session fixation, no stale state)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_pending(user: User, step: str, now: datetime) -> None:
    target = request.args.get("next")
    _fresh_session()
    session["pending"] = {
        "uid": user.id,
        "nonce": user.session_nonce,
        "step": step,
        "at": int(now.timestamp()),
    }
    if is_safe_next(target):
        session["login_next"] = target


def pending_user(step: str) -> User | None:
    """The user half-way through login, or None (expired, tampered, nonce rotated)."""
    data = session.get("pending")
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    now = clock.now()
    if now.timestamp() - float(data.get("at", 0)) > PENDING_MAX_AGE.total_seconds():
        return None
    uid = data.get("uid")
    user = get_session().get(User, uid) if isinstance(uid, int) else None
    if user is None or user.session_nonce != data.get("nonce"):
        return None
    return user


def finish_login(user: User, now: datetime) -> str:
    """Both factors passed: a fresh session (no fixation) and where to go next."""
    target = session.get("login_next")
    _fresh_session()
    login_user(user)
    session["auth_at"] = int(now.timestamp())
    session["seen_at"] = int(now.timestamp())
    return target if is_safe_next(target) else home_for(user)


def end_session() -> None:
    logout_user()
    _fresh_session()


def _check_lifetime() -> None:
    """Idle and absolute timeouts for a logged-in session."""
    if "_user_id" not in session:
        return None
    cfg = current_app.config
    now = int(clock.now().timestamp())
    auth_at = session.get("auth_at")
    seen_at = session.get("seen_at")
    idle = int(cfg["SESSION_IDLE_MINUTES"]) * 60
    absolute = int(cfg["SESSION_ABSOLUTE_HOURS"]) * 3600
    if (
        not isinstance(auth_at, int)
        or not isinstance(seen_at, int)
        or now - seen_at > idle
        or now - auth_at > absolute
    ):
        # From here on the request is anonymous; pages that need login send it there.
        end_session()
        return None
    if now - seen_at >= 30:
        session["seen_at"] = now
    return None


def init_app(app: Flask) -> None:
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # flash a plain string in the request's language
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_ABSOLUTE_HOURS", 12)
    app.before_request(_check_lifetime)
