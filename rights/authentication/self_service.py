"""What a user changes about their own account: password and authenticator (after
re-authentication), and setting a password from an invitation or reset link."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.authentication.login import (
    DEFAULT_LOCK_POLICY,
    LockPolicy,
    code_failed,
    password_failed,
)
from rights.authentication.second_factor import check_totp, clear_factor
from rights.models.org import User
from rights.passwords import check_password_policy, hash_password, verify_password
from rights.users import account_event, find_user, rotate_session_nonce, tell_user


def reauthenticate(
    session: Session,
    user: User,
    password: str,
    code: str,
    *,
    now: datetime,
    key: bytes,
    policy: LockPolicy = DEFAULT_LOCK_POLICY,
) -> bool:
    """Password and a fresh code again before a password or factor change. Failures count
    towards the lock like at login."""
    if not verify_password(user.password_hash, password):
        password_failed(session, user, now, policy)
        return False
    if not check_totp(user, code.strip(), key, now):
        code_failed(session, user, now, "reauthentication", policy)
        return False
    return True


def change_password(session: Session, user: User, new_password: str, *, now: datetime) -> None:
    check_password_policy(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    rotate_session_nonce(user)
    account_event(session, "auth.password_changed", user, now)
    tell_user(session, user, "password_changed", now)


def reset_own_factor(session: Session, user: User, *, now: datetime) -> None:
    """The user replaces their authenticator: the next login enrols a new one."""
    clear_factor(session, user)
    rotate_session_nonce(user)
    account_event(session, "auth.totp_reset", user, now, data={"by": "self"})
    tell_user(session, user, "factor_changed", now, change="reset")


# --- invitation and password-reset links -------------------------------------------------


def link_fingerprint(user: User) -> str:
    """Bound into invitation and reset links: it changes when the password is set or the
    sessions are ended, so a link works once and an older link dies with a newer one."""
    material = f"{user.id}:{user.password_hash or ''}:{user.session_nonce}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def request_password_reset(session: Session, email: str, *, now: datetime) -> None:
    """Mail a reset link when an active account exists; the caller answers the same
    either way (no enumeration)."""
    user = find_user(session, email)
    if user is None or not user.active or user.password_hash is None:
        audit.record(
            session,
            "auth.reset_requested",
            actor=Actor("anonymous"),
            now=now,
            data={"known": False},
        )
        return
    account_event(
        session, "auth.reset_requested", user, now, actor=Actor("anonymous"), data={"known": True}
    )
    tell_user(session, user, "password_reset", now)


def set_password_from_link(
    session: Session, user: User, password: str, *, now: datetime, purpose: str
) -> None:
    """Invitation or reset: the user sets their own password (the link dies with it)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    rotate_session_nonce(user)
    account_event(session, "auth.password_set", user, now, data={"via": purpose})
    if purpose == "password-reset":
        tell_user(session, user, "password_changed", now)
