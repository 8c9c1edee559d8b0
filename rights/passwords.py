"""Password hashing with argon2id (argon2-cffi defaults: t=3, m=64 MiB, p=4), which meets
OWASP ASVS 5.0 appendix C; Werkzeug's default scrypt does not (docs/security.md)."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rights.errors import ValidationFailed

_hasher = PasswordHasher()
# Verified against when the account does not exist, so known and unknown e-mail addresses
# cost the same time (no enumeration by timing).
_DUMMY_HASH = _hasher.hash("dummy password that nobody has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. Always runs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


MIN_LENGTH = 12
MAX_LENGTH = 1024  # at least 128 (ASVS 6.2.9); long passphrases in any script are welcome


@functools.cache
def common_passwords() -> frozenset[str]:
    """Common passwords shipped with the project (rights/data/common-passwords.txt.gz, the
    list Django ships, BSD licence); read once, no network."""
    path = Path(__file__).parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def check_password_policy(password: str, *, email: str = "") -> None:
    """Length 12 to 1024 characters (code points, any Unicode), not a common password,
    not the e-mail address. Raises ``ValidationFailed`` with a code the form translates."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed("password too short", code="password_too_short")
    if len(password) > MAX_LENGTH:
        raise ValidationFailed("password too long", code="password_too_long")
    lowered = password.strip().lower()
    if lowered in common_passwords() or lowered in {email.strip().lower()}:
        raise ValidationFailed("password too common", code="password_common")
    if len(set(password)) < 4:
        raise ValidationFailed("password too common", code="password_common")
