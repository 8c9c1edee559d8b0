"""Password hashing with argon2id (argon2-cffi defaults: t=3, m=64 MiB, p=4), which meets
OWASP ASVS 5.0 appendix C; Werkzeug's default scrypt does not (SECURITY.md)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
