"""The account changes admins make (docs/security.md, "Authentication and sessions"): invite,
change the role and the controller a contact works for, disable and enable, reset the
second factor, unlock, re-invite; and the lists the admin pages show.

Flask-free: every function takes the session, ``now`` and the acting admin. Functions
flush, never commit. Every change is audited and the user is mailed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.authentication import clear_factor, is_enrolled, is_locked
from rights.errors import Conflict, ValidationFailed
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.users import account_event, create_user, rotate_session_nonce, tell_user

__all__ = [
    "admin_reset_factor",
    "admin_unlock",
    "all_users",
    "change_role",
    "controllers",
    "invite_user",
    "is_enrolled",  # what the admin sees about an account, with is_locked
    "is_locked",
    "reinvite",
    "set_active",
]


def _admin_guard(user: User, actor: Actor) -> None:
    if actor.kind == "user" and actor.id == user.id:
        raise ValidationFailed("admins cannot change their own account here", code="self")


def _admin_event(
    session: Session, action: str, user: User, actor: Actor, now: datetime, **data: object
) -> None:
    audit.record(
        session, action, actor=actor, now=now, object_type="user", object_id=user.id, data=data
    )


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    actor: Actor,
    organisation: Organisation | None = None,
    language: str = "nl",
) -> User:
    """Create an account without a password and mail an invitation link."""
    user = create_user(
        session,
        email=email,
        name=name,
        role=role,
        now=now,
        actor=actor,
        organisation=organisation,
    )
    user.language = language
    account_event(session, "user.invited", user, now, actor=actor, data={"role": role.value})
    tell_user(session, user, "invitation", now)
    return user


def reinvite(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    """Send a fresh invitation link to an account that never set a password."""
    if user.password_hash is not None:
        raise Conflict("account already has a password", code="has_password")
    rotate_session_nonce(user)  # earlier invitation links die
    _admin_event(session, "user.invited", user, actor, now, role=user.role.value)
    tell_user(session, user, "invitation", now)


def change_role(
    session: Session,
    user: User,
    role: Role,
    *,
    now: datetime,
    actor: Actor,
    organisation: Organisation | None = None,
) -> None:
    """New role (and, for a controller contact, the organisation it belongs to)."""
    _admin_guard(user, actor)
    if role is Role.CONTROLLER:
        organisation = organisation or user.organisation
        if organisation is None or organisation.kind is not OrganisationKind.CONTROLLER:
            raise ValidationFailed("a controller contact needs a controller", code="org_required")
    else:
        organisation = None
    before = (user.role, user.organisation_id)
    user.role = role
    user.organisation = organisation
    session.flush()
    if before == (user.role, user.organisation_id):
        return
    # A designation is for one organisation: a contact who moves is designated again or not.
    user.designated = False
    rotate_session_nonce(user)
    _admin_event(
        session,
        "user.role_changed",
        user,
        actor,
        now,
        role=role.value,
        previous_role=before[0].value,
        organisation_id=user.organisation_id,
    )
    tell_user(session, user, "role_changed", now, role=role.value)


def set_active(session: Session, user: User, active: bool, *, now: datetime, actor: Actor) -> None:
    _admin_guard(user, actor)
    if user.active == active:
        return
    user.active = active
    rotate_session_nonce(user)
    _admin_event(session, "user.enabled" if active else "user.disabled", user, actor, now)
    tell_user(session, user, "account_enabled" if active else "account_disabled", now)


def admin_reset_factor(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    """Lost phone: the next login enrols a new authenticator; every session ends."""
    _admin_guard(user, actor)
    clear_factor(session, user)
    rotate_session_nonce(user)
    _admin_event(session, "auth.totp_reset", user, actor, now, by="admin")
    tell_user(session, user, "factor_changed", now, change="admin_reset")


def admin_unlock(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    user.locked_until = None
    user.failed_password_count = 0
    user.failed_password_window_start = None
    user.failed_code_count = 0
    _admin_event(session, "auth.unlocked", user, actor, now, reason="admin")


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)).all())


def controllers(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CONTROLLER)
            .order_by(Organisation.name)
        ).all()
    )
