"""Step-up for a subject's download (docs/security.md, "Signed single-use links"): a fresh six-digit
code mailed to the request's verified address, stored as a keyed hash, valid briefly, single use, a
few tries, rate limited."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rights import audit, crypto
from rights.audit import Actor
from rights.errors import DomainError, PermissionDenied
from rights.models.package import DownloadCode, Package
from rights.models.request import IdentityStatus, RightsRequest
from rights.outbox import queue_mail
from rights.packages.rules import burn_codes, downloadable

CODE_TTL = timedelta(minutes=10)
CODE_WINDOW = timedelta(minutes=15)
CODES_PER_WINDOW = 3
MAX_CODE_ATTEMPTS = 5
_CODE = re.compile(r"[0-9]{6}")


class TooManyCodes(DomainError):
    """More one-time codes asked for than the window allows."""

    code = "too_many_codes"
    http_status = 429


def verified_address(request: RightsRequest) -> str | None:
    """Where a one-time code may go: the request's address, once it has been confirmed by
    the subject (ID-2) or checked by an officer."""
    if not request.requester_email:
        return None
    if request.email_verified_at is not None or request.identity_status in (
        IdentityStatus.EMAIL_CONFIRMED,
        IdentityStatus.VERIFIED,
    ):
        return request.requester_email
    return None


def _code_hash(secret: crypto.Key, salt: str, package_id: int, code: str) -> str:
    message = f"download-code:{package_id}:{salt}:{code}".encode()
    key = secret.current if isinstance(secret, crypto.PurposeKey) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _code_matches(secret: crypto.Key, row: DownloadCode, package_id: int, code: str) -> bool:
    """Codes issued before the keyring were hashed under the legacy key: they still verify
    until they expire (``CODE_TTL``)."""
    keys = secret.candidates() if isinstance(secret, crypto.PurposeKey) else (secret,)
    found = False
    for key in keys:
        found |= hmac.compare_digest(row.code_hash, _code_hash(key, row.salt, package_id, code))
    return found


def issue_download_code(
    session: Session,
    package: Package,
    *,
    secret: crypto.Key,
    now: datetime,
    ttl: timedelta = CODE_TTL,
) -> DownloadCode:
    """Mail a fresh six-digit code to the subject's verified address (flushes).

    Earlier unused codes stop working. At most ``CODES_PER_WINDOW`` codes per package in
    ``CODE_WINDOW`` (``TooManyCodes``). Only a keyed hash of the code is stored; the code
    itself travels in the outbox row until the mail is sent.
    """
    downloadable(package, now)
    request = package.rights_request
    address = verified_address(request)
    if address is None:
        raise PermissionDenied("the request has no verified e-mail address", code="no_address")
    recent = session.scalar(
        select(func.count(DownloadCode.id)).where(
            DownloadCode.package_id == package.id, DownloadCode.created_at > now - CODE_WINDOW
        )
    )
    if (recent or 0) >= CODES_PER_WINDOW:
        raise TooManyCodes("too many codes asked for; wait a few minutes")
    burn_codes(session, package, now)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    row = DownloadCode(
        package_id=package.id,
        salt=salt,
        code_hash=_code_hash(secret, salt, package.id, code),
        created_at=now,
        expires_at=now + ttl,
        failed_attempts=0,
    )
    session.add(row)
    session.flush()
    queue_mail(
        session,
        to=address,
        template="download_code",
        language=request.language,
        now=now,
        request_id=request.id,
        context={"code": code, "minutes": int(ttl.total_seconds() // 60)},
    )
    audit.record(
        session,
        "package.code_sent",
        actor=Actor.subject(),
        now=now,
        request_id=request.id,
        object_type="package",
        object_id=package.id,
        data={"code_id": row.id},
    )
    return row


def redeem_download_code(
    session: Session, package: Package, code: str, *, secret: crypto.Key, now: datetime
) -> bool:
    """Check a code for the package: True once per code, for the newest unexpired one.

    A wrong code counts against the code; after ``MAX_CODE_ATTEMPTS`` it is burned. The
    caller commits in both cases, so the count survives the refusal.
    """
    row = session.scalar(
        select(DownloadCode)
        .where(
            DownloadCode.package_id == package.id,
            DownloadCode.used_at.is_(None),
            DownloadCode.expires_at > now,
        )
        .order_by(DownloadCode.created_at.desc(), DownloadCode.id.desc())
        .limit(1)
    )
    if row is None:
        return False
    candidate = code.strip()
    ok = _CODE.fullmatch(candidate) is not None and _code_matches(
        secret, row, package.id, candidate
    )
    if ok:
        row.used_at = now
    else:
        row.failed_attempts += 1
        if row.failed_attempts >= MAX_CODE_ATTEMPTS:
            row.used_at = now
    session.flush()
    if not ok:
        audit.record(
            session,
            "package.code_rejected",
            actor=Actor.subject(),
            now=now,
            request_id=package.request_id,
            object_type="package",
            object_id=package.id,
            data={"code_id": row.id, "attempts": row.failed_attempts},
        )
    return ok
