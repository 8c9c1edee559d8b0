"""Invitation and password-reset links: signed, purpose-bound, expiring, single use (the
token carries the account's link fingerprint, which changes when the link is used)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from portal.tokens import TokenExpired, TokenInvalid, make_token, read_token
from rights.authentication import link_fingerprint
from rights.errors import Gone, NotFound
from rights.models.mail import OutboxMail
from rights.models.org import User

PATHS = {"invitation": "/auth/invitation/", "password-reset": "/auth/reset/"}
TEMPLATES = {"invitation": "invitation", "password_reset": "password-reset"}


def max_age(purpose: str) -> int:
    cfg = current_app.config
    if purpose == "invitation":
        return int(cfg["INVITATION_MAX_AGE_HOURS"]) * 3600
    return int(cfg["RESET_MAX_AGE_MINUTES"]) * 60


def link(user: User, purpose: str) -> str:
    token = make_token(purpose, {"u": user.id, "f": link_fingerprint(user)})
    return f"{current_app.config['BASE_URL'].rstrip('/')}{PATHS[purpose]}{token}"


def user_from_token(session: Session, purpose: str, token: str) -> User:
    """404 for a tampered or foreign token; 410 for an expired, used or replaced one."""
    try:
        data = read_token(purpose, token, max_age(purpose))
    except TokenExpired as exc:
        raise Gone("link expired", code="link_expired") from exc
    except TokenInvalid as exc:
        raise NotFound("no such link") from exc
    uid = data.get("u")
    user = session.get(User, uid) if isinstance(uid, int) else None
    if user is None:
        raise NotFound("no such link")
    if not user.active or data.get("f") != link_fingerprint(user):
        raise Gone("link used or replaced", code="link_used")
    if purpose == "invitation" and user.password_hash is not None:
        raise Gone("link used", code="link_used")
    return user


def mail_context(session: Session, mail: OutboxMail) -> dict[str, Any]:
    """Context for account mail, rendered when the worker sends it (the database never
    holds a live link)."""
    uid = mail.context.get("user_id")
    if not isinstance(uid, int):
        return {}
    user = session.get(User, uid)
    if user is None:
        return {}
    base = current_app.config["BASE_URL"].rstrip("/")
    context: dict[str, Any] = {"user": user, "login_url": f"{base}/auth/login"}
    purpose = TEMPLATES.get(mail.template)
    if purpose:
        context["link"] = link(user, purpose)
        context["valid_hours"] = round(max_age(purpose) / 3600, 1)
    return context
