"""Logging in: the password step with brute-force counters in the database, the second
step (a TOTP code or a recovery code), enrolment, logout, and the lock policy that both
steps count towards (docs/security.md, "Authentication and sessions")."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.authentication.second_factor import (
    check_totp,
    is_enrolled,
    regenerate_recovery_codes,
    start_enrolment,
    use_recovery_code,
)
from rights.crypto import Key
from rights.models.audit import AuditEvent
from rights.models.org import User
from rights.passwords import verify_password
from rights.users import account_event, find_user, rotate_session_nonce, tell_user

MAX_FAILED_PASSWORDS = 10
PASSWORD_WINDOW = timedelta(minutes=5)
MAX_FAILED_CODES = 5
LOCK_DURATION = timedelta(minutes=15)


@dataclass(frozen=True)
class LockPolicy:
    """Brute-force limits (docs/security.md): ``max_failed_passwords`` wrong passwords within
    ``password_window``, or ``max_failed_codes`` wrong codes, lock for ``lock_duration``."""

    max_failed_passwords: int = MAX_FAILED_PASSWORDS
    password_window: timedelta = PASSWORD_WINDOW
    max_failed_codes: int = MAX_FAILED_CODES
    lock_duration: timedelta = LOCK_DURATION

    def __post_init__(self) -> None:
        if self.max_failed_passwords < 1 or self.max_failed_codes < 1:
            raise ValueError("failure limits must be at least 1")
        if self.password_window <= timedelta(0) or self.lock_duration <= timedelta(0):
            raise ValueError("lock durations must be positive")


DEFAULT_LOCK_POLICY = LockPolicy()


class Step(enum.StrEnum):
    FAILED = "failed"  # wrong e-mail, wrong password, disabled or locked: one generic answer
    CODE = "code"  # password right, a code is needed
    ENROL = "enrol"  # password right, the authenticator must be enrolled first


@dataclass(frozen=True)
class PasswordResult:
    step: Step
    user: User | None = None


# --- the lock ----------------------------------------------------------------------------


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def pending_user_ok(user: User | None, now: datetime) -> bool:
    return user is not None and user.active and not is_locked(user, now)


def _lock(session: Session, user: User, now: datetime, reason: str, policy: LockPolicy) -> None:
    """Lock for the policy's duration; sessions already open end too (nonce rotated)."""
    minutes = int(policy.lock_duration.total_seconds() // 60)
    user.locked_until = now + policy.lock_duration
    rotate_session_nonce(user)
    account_event(
        session,
        "auth.locked",
        user,
        now,
        data={"reason": reason, "minutes": minutes, "sessions_ended": True},
    )
    tell_user(session, user, "account_locked", now, minutes=minutes)


def _expire_lock(session: Session, user: User, now: datetime) -> None:
    """A lock whose time is over ends here (audited once) with fresh counters."""
    if user.locked_until is not None and user.locked_until <= now:
        user.locked_until = None
        user.failed_password_count = 0
        user.failed_password_window_start = None
        user.failed_code_count = 0
        account_event(session, "auth.unlocked", user, now, data={"reason": "expired"})


def password_failed(session: Session, user: User, now: datetime, policy: LockPolicy) -> None:
    """Count a wrong password in the policy's window; lock at the limit."""
    start = user.failed_password_window_start
    if start is None or now - start > policy.password_window:
        user.failed_password_window_start = now
        user.failed_password_count = 1
    else:
        user.failed_password_count += 1
    account_event(
        session,
        "auth.login_failed",
        user,
        now,
        actor=Actor("anonymous"),
        data={"step": "password", "count": user.failed_password_count},
    )
    if user.failed_password_count >= policy.max_failed_passwords and not is_locked(user, now):
        _lock(session, user, now, "passwords", policy)


def code_failed(session: Session, user: User, now: datetime, step: str, policy: LockPolicy) -> None:
    """Count a wrong code (login, enrolment or re-authentication); lock at the limit."""
    user.failed_code_count += 1
    account_event(
        session,
        "auth.code_failed",
        user,
        now,
        actor=Actor("anonymous"),
        data={"step": step, "count": user.failed_code_count},
    )
    if user.failed_code_count >= policy.max_failed_codes and not is_locked(user, now):
        _lock(session, user, now, "codes", policy)


# --- login steps -------------------------------------------------------------------------


def check_login_password(
    session: Session,
    email: str,
    password: str,
    *,
    now: datetime,
    key: Key,
    policy: LockPolicy = DEFAULT_LOCK_POLICY,
) -> PasswordResult:
    """First step. Exactly one argon2 verification whatever the account's state, and the
    same answer for an unknown e-mail, a wrong password, a disabled or a locked account.
    A user without an authenticator gets a seed to enrol (kept encrypted)."""
    user = find_user(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        audit.record(
            session, "auth.login_failed", actor=Actor("anonymous"), now=now, data={"step": "email"}
        )
        return PasswordResult(Step.FAILED)
    _expire_lock(session, user, now)
    if not ok:
        password_failed(session, user, now, policy)
        return PasswordResult(Step.FAILED)
    if not user.active or is_locked(user, now):
        account_event(
            session,
            "auth.login_refused",
            user,
            now,
            actor=Actor("anonymous"),
            data={"reason": "disabled" if not user.active else "locked"},
        )
        return PasswordResult(Step.FAILED)
    user.failed_password_count = 0
    user.failed_password_window_start = None
    if is_enrolled(user):
        return PasswordResult(Step.CODE, user)
    start_enrolment(user, key)
    return PasswordResult(Step.ENROL, user)


def _logged_in(session: Session, user: User, now: datetime, method: str) -> None:
    user.failed_code_count = 0
    user.failed_password_count = 0
    user.failed_password_window_start = None
    user.last_login_at = now
    account_event(session, "auth.login", user, now, data={"method": method})


def check_second_factor(
    session: Session,
    user: User,
    code: str,
    *,
    now: datetime,
    key: Key,
    policy: LockPolicy = DEFAULT_LOCK_POLICY,
) -> bool:
    """Second step: a TOTP code (once) or an unused recovery code. Failures count towards
    the lock, which survives a restart because it lives in the database."""
    if not pending_user_ok(user, now) or not is_enrolled(user):
        return False
    code = code.strip()
    if check_totp(user, code, key, now):
        _logged_in(session, user, now, "totp")
        return True
    if use_recovery_code(session, user, code, now=now):
        _logged_in(session, user, now, "recovery_code")
        return True
    code_failed(session, user, now, "code", policy)
    return False


def confirm_enrolment(
    session: Session,
    user: User,
    code: str,
    *,
    now: datetime,
    key: Key,
    policy: LockPolicy = DEFAULT_LOCK_POLICY,
) -> list[str] | None:
    """Finish enrolment with a valid code; returns the recovery codes to show once."""
    if not pending_user_ok(user, now) or is_enrolled(user):
        return None
    if not check_totp(user, code.strip(), key, now):
        code_failed(session, user, now, "enrolment", policy)
        return None
    again = _enrolled_before(session, user)
    user.totp_enrolled_at = now
    account_event(session, "auth.totp_enrolled", user, now)
    codes = regenerate_recovery_codes(session, user, now=now, actor=Actor.user(user.id))
    _logged_in(session, user, now, "enrolment")
    if again:  # the first enrolment is part of the invitation: no "factor changed" mail
        tell_user(session, user, "factor_changed", now, change="enrolled")
    return codes


def _enrolled_before(session: Session, user: User) -> bool:
    """Whether ``user`` had an authenticator app before (set up here, or reset since)."""
    found = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.action.in_(("auth.totp_enrolled", "auth.totp_reset")),
            AuditEvent.object_type == "user",
            AuditEvent.object_id == user.id,
        )
        .limit(1)
    )
    return found is not None


def logout(session: Session, user: User, *, now: datetime, reason: str = "logout") -> None:
    rotate_session_nonce(user)
    account_event(session, "auth.logout", user, now, data={"reason": reason})
