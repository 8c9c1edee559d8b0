"""The mandatory second factor (docs/security.md, "Authentication and sessions"): a TOTP seed
encrypted at rest with a replay guard, and single-use recovery codes stored hashed."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rights.audit import Actor
from rights.crypto import Key, decrypt, encrypt
from rights.errors import Conflict
from rights.models.account import RecoveryCode
from rights.models.org import User
from rights.users import account_event, tell_user

RECOVERY_CODE_COUNT = 10
TOTP_WINDOW = 1  # one 30-second step each way
ISSUER = "DSR Portal"

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


def clear_factor(session: Session, user: User) -> None:
    """Forget the seed and the recovery codes: the next login enrols a new authenticator."""
    user.totp_secret_enc = None
    user.totp_enrolled_at = None
    user.totp_last_timecode = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


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
    account_event(
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
    account_event(session, "auth.recovery_code_used", user, now, data={"remaining": left})
    tell_user(session, user, "recovery_code_used", now, remaining=left)
    return True


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
