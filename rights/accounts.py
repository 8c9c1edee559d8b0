"""Strong authentication for officers, admins and controller contacts (SECURITY.md,
"authentication and sessions"): password step with brute-force counters in the database,
a mandatory TOTP second factor with a replay guard, single-use recovery codes, and the
account changes admins make (invite, role, organisation, disable, reset factor, unlock).

Flask-free: every function takes the session, ``now``, the actor and the encryption key.
Functions flush, never commit. Audit ``data`` carries ids and codes, never secrets.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.crypto import Key, decrypt, encrypt
from rights.errors import Conflict, ValidationFailed
from rights.models.account import RecoveryCode
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.outbox import queue_mail
from rights.passwords import check_password_policy, hash_password, verify_password
from rights.users import create_user, find_user, rotate_session_nonce

MAX_FAILED_PASSWORDS = 10
PASSWORD_WINDOW = timedelta(minutes=5)
MAX_FAILED_CODES = 5
LOCK_DURATION = timedelta(minutes=15)
RECOVERY_CODE_COUNT = 10
TOTP_WINDOW = 1  # one 30-second step each way
ISSUER = "DSR Portal"


@dataclass(frozen=True)
class LockPolicy:
    """Brute-force limits (SECURITY.md): ``max_failed_passwords`` wrong passwords within
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

_CODE_RE = re.compile(r"[0-9]{6}")
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_RE = re.compile(r"[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{4}")


# --- TOTP seed, encrypted at rest -------------------------------------------------------


def _seed_ad(user: User) -> bytes:
    """Associated data: a seed copied to another user's row fails to decrypt."""
    return f"totp-seed:user:{user.id}".encode()


def set_totp_secret(user: User, secret: str, key: Key) -> None:
    user.totp_secret_enc = encrypt(key, secret.encode("ascii"), _seed_ad(user))


def totp_secret(user: User, key: Key) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return decrypt(key, user.totp_secret_enc, _seed_ad(user)).decode("ascii")


def is_enrolled(user: User) -> bool:
    return user.totp_secret_enc is not None and user.totp_enrolled_at is not None


def provisioning_uri(user: User, key: Key, issuer: str = ISSUER) -> str:
    secret = totp_secret(user, key)
    assert secret is not None
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def start_enrolment(user: User, key: Key) -> str:
    """The seed the user is enrolling (made once, kept encrypted until confirmed)."""
    if is_enrolled(user):
        raise Conflict("already enrolled", code="already_enrolled")
    secret = totp_secret(user, key)
    if secret is None:
        secret = pyotp.random_base32()
        set_totp_secret(user, secret, key)
        user.totp_last_timecode = None
    return secret


def check_totp(user: User, code: str, key: Key, now: datetime) -> bool:
    """Accept a six-digit ASCII code once: the matched time-step must be newer than the
    last accepted one (replay guard). Stores the step on success (flush by caller)."""
    if not _CODE_RE.fullmatch(code):
        return False
    secret = totp_secret(user, key)
    if secret is None:
        return False
    try:
        step = pyotp.TOTP(secret).verify_and_get_timecode(
            code, for_time=now, valid_window=TOTP_WINDOW
        )
    except pyotp.exceptions.OTPVerificationError:
        return False
    if user.totp_last_timecode is not None and step <= user.totp_last_timecode:
        return False
    user.totp_last_timecode = step
    return True


# --- recovery codes ----------------------------------------------------------------------


def _recovery_hash(user_id: int, code: str) -> str:
    plain = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"recovery:{user_id}:{plain}".encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def regenerate_recovery_codes(
    session: Session, user: User, *, now: datetime, actor: Actor
) -> list[str]:
    """Ten new codes (returned once, stored hashed); every earlier code stops working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(
            RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code), created_at=now)
        )
    _audit(
        session,
        "auth.recovery_codes_generated",
        user,
        now,
        actor=actor,
        data={"count": RECOVERY_CODE_COUNT},
    )
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str, *, now: datetime) -> bool:
    """Spend one recovery code; audited, and the user is told by mail."""
    cleaned = code.strip().lower()
    if not _RECOVERY_RE.fullmatch(cleaned):
        return False
    wanted = _recovery_hash(user.id, cleaned)
    rows = session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = next((row for row in rows if strings_equal(row.code_hash, wanted)), None)
    if match is None:
        return False
    match.used_at = now
    left = len(rows) - 1
    _audit(session, "auth.recovery_code_used", user, now, data={"remaining": left})
    _tell(session, user, "recovery_code_used", now, remaining=left)
    return True


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


# --- login steps -------------------------------------------------------------------------


class Step(enum.StrEnum):
    FAILED = "failed"  # wrong e-mail, wrong password, disabled or locked: one generic answer
    CODE = "code"  # password right, a code is needed
    ENROL = "enrol"  # password right, the authenticator must be enrolled first


@dataclass(frozen=True)
class PasswordResult:
    step: Step
    user: User | None = None


def _audit(
    session: Session,
    action: str,
    user: User,
    now: datetime,
    *,
    actor: Actor | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """An account event about ``user``, by the user unless ``actor`` says otherwise."""
    audit.record(
        session,
        action,
        actor=actor or Actor.user(user.id),
        now=now,
        object_type="user",
        object_id=user.id,
        data=data,
    )


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _tell(session: Session, user: User, template: str, now: datetime, **context: object) -> None:
    queue_mail(
        session,
        to=user.email,
        template=template,
        language=user.language or "nl",
        now=now,
        context={"user_id": user.id, **context},
    )


def _lock(session: Session, user: User, now: datetime, reason: str, policy: LockPolicy) -> None:
    """Lock for the policy's duration; sessions already open end too (nonce rotated)."""
    minutes = int(policy.lock_duration.total_seconds() // 60)
    user.locked_until = now + policy.lock_duration
    rotate_session_nonce(user)
    _audit(
        session,
        "auth.locked",
        user,
        now,
        data={"reason": reason, "minutes": minutes, "sessions_ended": True},
    )
    _tell(session, user, "account_locked", now, minutes=minutes)


def _expire_lock(session: Session, user: User, now: datetime) -> None:
    """A lock whose time is over ends here (audited once) with fresh counters."""
    if user.locked_until is not None and user.locked_until <= now:
        user.locked_until = None
        user.failed_password_count = 0
        user.failed_password_window_start = None
        user.failed_code_count = 0
        _audit(session, "auth.unlocked", user, now, data={"reason": "expired"})


def _password_failed(session: Session, user: User, now: datetime, policy: LockPolicy) -> None:
    start = user.failed_password_window_start
    if start is None or now - start > policy.password_window:
        user.failed_password_window_start = now
        user.failed_password_count = 1
    else:
        user.failed_password_count += 1
    _audit(
        session,
        "auth.login_failed",
        user,
        now,
        actor=Actor("anonymous"),
        data={"step": "password", "count": user.failed_password_count},
    )
    if user.failed_password_count >= policy.max_failed_passwords and not is_locked(user, now):
        _lock(session, user, now, "passwords", policy)


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
        _password_failed(session, user, now, policy)
        return PasswordResult(Step.FAILED)
    if not user.active or is_locked(user, now):
        _audit(
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


def pending_user_ok(user: User | None, now: datetime) -> bool:
    return user is not None and user.active and not is_locked(user, now)


def _code_failed(
    session: Session, user: User, now: datetime, step: str, policy: LockPolicy
) -> None:
    user.failed_code_count += 1
    _audit(
        session,
        "auth.code_failed",
        user,
        now,
        actor=Actor("anonymous"),
        data={"step": step, "count": user.failed_code_count},
    )
    if user.failed_code_count >= policy.max_failed_codes and not is_locked(user, now):
        _lock(session, user, now, "codes", policy)


def _logged_in(session: Session, user: User, now: datetime, method: str) -> None:
    user.failed_code_count = 0
    user.failed_password_count = 0
    user.failed_password_window_start = None
    user.last_login_at = now
    _audit(session, "auth.login", user, now, data={"method": method})


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
    _code_failed(session, user, now, "code", policy)
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
        _code_failed(session, user, now, "enrolment", policy)
        return None
    user.totp_enrolled_at = now
    _audit(session, "auth.totp_enrolled", user, now)
    codes = regenerate_recovery_codes(session, user, now=now, actor=Actor.user(user.id))
    _logged_in(session, user, now, "enrolment")
    _tell(session, user, "factor_changed", now, change="enrolled")
    return codes


def logout(session: Session, user: User, *, now: datetime, reason: str = "logout") -> None:
    rotate_session_nonce(user)
    _audit(session, "auth.logout", user, now, data={"reason": reason})


# --- self-service (after re-authentication) ----------------------------------------------


def reauthenticate(
    session: Session,
    user: User,
    password: str,
    code: str,
    *,
    now: datetime,
    key: Key,
    policy: LockPolicy = DEFAULT_LOCK_POLICY,
) -> bool:
    """Password and a fresh code again before a password or factor change. Failures count
    towards the lock like at login."""
    if not verify_password(user.password_hash, password):
        _password_failed(session, user, now, policy)
        return False
    if not check_totp(user, code.strip(), key, now):
        _code_failed(session, user, now, "reauthentication", policy)
        return False
    return True


def change_password(session: Session, user: User, new_password: str, *, now: datetime) -> None:
    check_password_policy(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    rotate_session_nonce(user)
    _audit(session, "auth.password_changed", user, now)
    _tell(session, user, "password_changed", now)


def reset_own_factor(session: Session, user: User, *, now: datetime) -> None:
    """The user replaces their authenticator: the next login enrols a new one."""
    _clear_factor(session, user)
    rotate_session_nonce(user)
    _audit(session, "auth.totp_reset", user, now, data={"by": "self"})
    _tell(session, user, "factor_changed", now, change="reset")


def _clear_factor(session: Session, user: User) -> None:
    user.totp_secret_enc = None
    user.totp_enrolled_at = None
    user.totp_last_timecode = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- invitation and password reset -------------------------------------------------------


def link_fingerprint(user: User) -> str:
    """Bound into invitation and reset links: it changes when the password is set or the
    sessions are ended, so a link works once and an older link dies with a newer one."""
    material = f"{user.id}:{user.password_hash or ''}:{user.session_nonce}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


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
    _audit(session, "user.invited", user, now, actor=actor, data={"role": role.value})
    _tell(session, user, "invitation", now)
    return user


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
    _audit(
        session, "auth.reset_requested", user, now, actor=Actor("anonymous"), data={"known": True}
    )
    _tell(session, user, "password_reset", now)


def set_password_from_link(
    session: Session, user: User, password: str, *, now: datetime, purpose: str
) -> None:
    """Invitation or reset: the user sets their own password (the link dies with it)."""
    check_password_policy(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    rotate_session_nonce(user)
    _audit(session, "auth.password_set", user, now, data={"via": purpose})
    if purpose == "password-reset":
        _tell(session, user, "password_changed", now)


# --- admin user management ----------------------------------------------------------------


def _admin_guard(user: User, actor: Actor) -> None:
    if actor.kind == "user" and actor.id == user.id:
        raise ValidationFailed("admins cannot change their own account here", code="self")


def _admin_event(
    session: Session, action: str, user: User, actor: Actor, now: datetime, **data: object
) -> None:
    audit.record(
        session, action, actor=actor, now=now, object_type="user", object_id=user.id, data=data
    )


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
    _tell(session, user, "role_changed", now, role=role.value)


def set_active(session: Session, user: User, active: bool, *, now: datetime, actor: Actor) -> None:
    _admin_guard(user, actor)
    if user.active == active:
        return
    user.active = active
    rotate_session_nonce(user)
    _admin_event(session, "user.enabled" if active else "user.disabled", user, actor, now)
    _tell(session, user, "account_enabled" if active else "account_disabled", now)


def admin_reset_factor(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    """Lost phone: the next login enrols a new authenticator; every session ends."""
    _admin_guard(user, actor)
    _clear_factor(session, user)
    rotate_session_nonce(user)
    _admin_event(session, "auth.totp_reset", user, actor, now, by="admin")
    _tell(session, user, "factor_changed", now, change="admin_reset")


def admin_unlock(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    user.locked_until = None
    user.failed_password_count = 0
    user.failed_password_window_start = None
    user.failed_code_count = 0
    _admin_event(session, "auth.unlocked", user, actor, now, reason="admin")


def reinvite(session: Session, user: User, *, now: datetime, actor: Actor) -> None:
    """Send a fresh invitation link to an account that never set a password."""
    if user.password_hash is not None:
        raise Conflict("account already has a password", code="has_password")
    rotate_session_nonce(user)  # earlier invitation links die
    _admin_event(session, "user.invited", user, actor, now, role=user.role.value)
    _tell(session, user, "invitation", now)


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
