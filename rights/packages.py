"""Export packages at rest and their delivery rules (issue 8, SECURITY.md 14.x).

- A package is the plaintext ZIP the exporters built, stored encrypted in chunks
  (:func:`rights.crypto.encrypt_stream`) with the package id as associated data, under a
  random storage key. The row keeps the SHA-256 and size of the plaintext.
- Four eyes: the officer who prepared a package cannot release or re-issue it.
- Revoke and re-issue bump ``link_generation``, so earlier download links stop working;
  re-issuing does not rebuild.
- A package expires (default 30 days) and the purge deletes its file; the row and the audit
  keep that it existed and its checksum.
- The subject downloads after a fresh six-digit code mailed to the request's verified
  address: stored as a keyed hash, valid briefly, single use, a few tries, rate limited.

This module knows nothing about ZIPs or formats (``exporters`` builds them; ``portal``
wires the two together).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rights import audit, crypto
from rights.audit import Actor
from rights.errors import DomainError, Gone, PermissionDenied, ValidationFailed
from rights.identifiers import is_email_address
from rights.models.org import Organisation
from rights.models.package import (
    DownloadCode,
    Package,
    PackageKind,
    PackageStatus,
    Transmission,
)
from rights.models.request import IdentityStatus, RightsRequest
from rights.outbox import queue_mail
from rights.righttypes import RightType

DEFAULT_RETENTION = timedelta(days=30)
CODE_TTL = timedelta(minutes=10)
CODE_WINDOW = timedelta(minutes=15)
CODES_PER_WINDOW = 3
MAX_CODE_ATTEMPTS = 5
_CODE = re.compile(r"[0-9]{6}")


class TooManyCodes(DomainError):
    """More one-time codes asked for than the window allows."""

    code = "too_many_codes"
    http_status = 429


class _HashingWriter(io.RawIOBase):
    """Passes plaintext on to the encryptor, hashing it on the way."""

    def __init__(self, target: crypto.StreamEncryptor) -> None:
        super().__init__()
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.digest.update(view)
        return self.target.write(view)


Producer = Callable[[BinaryIO], object]


@dataclass(frozen=True)
class PackageStore:
    """A folder of encrypted package files, one per package, named by a random key."""

    root: Path
    key: bytes
    chunk_size: int = crypto.DEFAULT_CHUNK_SIZE

    def path(self, storage_key: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", storage_key):
            raise ValueError("bad storage key")
        return self.root / storage_key[:2] / storage_key

    def write(self, package: Package, produce: Producer) -> tuple[str, int]:
        """Encrypt what ``produce(out)`` writes into the package's file, never holding the
        plaintext on disk or in memory; returns the plaintext SHA-256 and size."""
        target = self.path(package.storage_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        try:
            with tmp.open("wb") as out:
                encryptor = crypto.StreamEncryptor(
                    self.key, out, _associated(package), chunk_size=self.chunk_size
                )
                writer = _HashingWriter(encryptor)
                try:
                    produce(writer)  # type: ignore[arg-type]
                except BaseException:
                    encryptor.abort()
                    raise
                encryptor.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return writer.digest.hexdigest(), encryptor.size

    def verify(self, package: Package) -> None:
        """Authenticate the whole file and compare it with the row; raises DecryptionFailed."""
        path = self.path(package.storage_key)
        if not path.is_file():
            raise crypto.DecryptionFailed("the package file is missing")
        with path.open("rb") as src:
            digest, size = crypto.verify_stream(self.key, src, _associated(package))
        if digest != package.sha256 or size != package.size:
            raise crypto.DecryptionFailed("the package file does not match its checksum")

    def chunks(self, package: Package) -> Iterator[bytes]:
        """The plaintext ZIP, chunk by chunk; call :meth:`verify` first. Path and associated
        data are taken now, so the iterator works after the session has closed (a streamed
        response is consumed after the request)."""
        return self._chunks(self.path(package.storage_key), _associated(package))

    def _chunks(self, path: Path, associated_data: bytes) -> Iterator[bytes]:
        with path.open("rb") as src:
            yield from crypto.decrypt_stream(self.key, src, associated_data)

    def open_verified(self, package: Package) -> Iterator[bytes]:
        """Verify the whole file, then return an iterator over its plaintext. Nothing is
        returned (DecryptionFailed) when a single byte was changed, moved or cut off."""
        self.verify(package)
        return self.chunks(package)

    def remove(self, package: Package) -> None:
        self.path(package.storage_key).unlink(missing_ok=True)


def _associated(package: Package) -> bytes:
    if package.kind == PackageKind.RETURN:
        return f"return-package:{package.id}:{package.organisation_id}".encode()
    return f"package:{package.id}:{package.request_id}".encode()


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == "user" else None


def store_package(
    session: Session,
    store: PackageStore,
    request: RightsRequest,
    produce: Producer,
    *,
    formats: Sequence[str],
    language: str,
    actor: Actor,
    now: datetime,
    retention: timedelta = DEFAULT_RETENTION,
    summary: dict[str, Any] | None = None,
) -> Package:
    """Encrypt the ZIP that ``produce(out)`` writes into the store and record it as built
    (flushes).

    ``summary`` holds no personal data (counts, format version). If writing fails nothing
    is left behind: no file (the temporary file is removed) and the caller rolls back.
    """
    package = Package(kind=PackageKind.REQUEST, request_id=request.id)
    return _store(
        session, store, package, produce, formats, language, actor, now, retention, summary
    )


def store_return_package(
    session: Session,
    store: PackageStore,
    organisation: Organisation,
    produce: Producer,
    *,
    formats: Sequence[str],
    language: str,
    actor: Actor,
    now: datetime,
    retention: timedelta = DEFAULT_RETENTION,
    summary: dict[str, Any] | None = None,
) -> Package:
    """As :func:`store_package`, for a return-of-data export of ``organisation``'s data
    (Art. 28(3)(g) GDPR): no request; only that organisation's contacts may download it."""
    package = Package(kind=PackageKind.RETURN, request_id=None, organisation_id=organisation.id)
    return _store(
        session, store, package, produce, formats, language, actor, now, retention, summary
    )


def _store(
    session: Session,
    store: PackageStore,
    package: Package,
    produce: Producer,
    formats: Sequence[str],
    language: str,
    actor: Actor,
    now: datetime,
    retention: timedelta,
    summary: dict[str, Any] | None,
) -> Package:
    if retention <= timedelta(0):
        raise ValidationFailed("retention must be positive", code="bad_retention")
    package.formats = list(dict.fromkeys(formats))
    package.language = language
    package.status = PackageStatus.BUILT
    package.sha256 = "0" * 64
    package.size = 0
    package.storage_key = secrets.token_urlsafe(24)
    package.prepared_by_id = _user_id(actor)
    package.created_at = now
    package.expires_at = now + retention
    package.download_count = 0
    package.link_generation = 0
    package.manifest_summary = dict(summary or {})
    session.add(package)
    session.flush()
    package.sha256, package.size = store.write(package, produce)
    session.flush()
    data: dict[str, Any] = {
        "sha256": package.sha256,
        "size": package.size,
        "formats": package.formats,
        "expires_at": package.expires_at.isoformat(),
    }
    if package.kind == PackageKind.RETURN:
        data.update(kind=PackageKind.RETURN.value, organisation_id=package.organisation_id)
    audit.record(
        session,
        "package.built",
        actor=actor,
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=data,
    )
    return package


def _four_eyes(package: Package, actor: Actor) -> int:
    user_id = _user_id(actor)
    if user_id is None:
        raise PermissionDenied("only an officer can release a package", code="not_an_officer")
    if package.prepared_by_id == user_id:
        raise PermissionDenied(
            "a second officer must release the package (four eyes)", code="four_eyes"
        )
    return user_id


def _not_expired(package: Package, now: datetime) -> None:
    if package.status is PackageStatus.PURGED or now >= package.expires_at:
        raise Gone("the package has expired; build a new one", code="package_expired")


def release_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Four eyes: a second officer releases a built package to the subject (flushes)."""
    user_id = _four_eyes(package, actor)
    _not_expired(package, now)
    if package.status is not PackageStatus.BUILT:
        raise ValidationFailed("only a built package can be released", code="not_built")
    package.status = PackageStatus.RELEASED
    package.released_by_id = user_id
    package.released_at = now
    session.flush()
    _audit(session, package, "package.released", actor, now)


def revoke_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Withdraw every link at once; the file stays until it expires, so it can be re-issued."""
    if package.status not in (PackageStatus.BUILT, PackageStatus.RELEASED):
        raise ValidationFailed("this package cannot be revoked", code="not_revocable")
    package.status = PackageStatus.REVOKED
    package.revoked_at = now
    package.link_generation += 1
    _burn_codes(session, package, now)
    session.flush()
    _audit(session, package, "package.revoked", actor, now)


def reissue_package(session: Session, package: Package, *, actor: Actor, now: datetime) -> None:
    """Release a revoked (or rotate a released) package again, with new links and without
    rebuilding. Four eyes as for the first release."""
    user_id = _four_eyes(package, actor)
    _not_expired(package, now)
    if package.status not in (PackageStatus.REVOKED, PackageStatus.RELEASED):
        raise ValidationFailed("only a revoked or released package can be re-issued")
    package.status = PackageStatus.RELEASED
    package.released_by_id = user_id
    package.released_at = now
    package.revoked_at = None
    package.link_generation += 1
    _burn_codes(session, package, now)
    session.flush()
    _audit(session, package, "package.reissued", actor, now)


def _burn_codes(session: Session, package: Package, now: datetime) -> None:
    """Codes asked for through an earlier link die with it."""
    for code in session.scalars(
        select(DownloadCode).where(
            DownloadCode.package_id == package.id, DownloadCode.used_at.is_(None)
        )
    ):
        code.used_at = now


def purge_expired(session: Session, store: PackageStore, *, now: datetime) -> int:
    """Delete the files of expired packages; the rows keep checksum and history (flushes)."""
    due = session.scalars(
        select(Package)
        .where(Package.status != PackageStatus.PURGED, Package.expires_at <= now)
        .order_by(Package.id)
    ).all()
    for package in due:
        store.remove(package)
        package.status = PackageStatus.PURGED
        package.purged_at = now
        package.link_generation += 1
        session.flush()
        _audit(session, package, "package.purged", audit.SYSTEM, now)
    return len(due)


def _audit(session: Session, package: Package, action: str, actor: Actor, now: datetime) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=_audit_data(package, status=package.status.value),
    )


def _audit_data(package: Package, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"sha256": package.sha256, **extra}
    if package.kind == PackageKind.RETURN:
        data.update(kind=PackageKind.RETURN.value, organisation_id=package.organisation_id)
    return data


def downloadable(package: Package, now: datetime) -> None:
    """Raise ``Gone`` unless the package may be downloaded right now."""
    if package.is_gone(now):
        code = "package_revoked" if package.status is PackageStatus.REVOKED else "package_expired"
        raise Gone("this package is no longer available", code=code)


def released_packages(session: Session, request: RightsRequest, now: datetime) -> list[Package]:
    """The packages the subject may download now, newest first (for the status page)."""
    rows = session.scalars(
        select(Package)
        .where(
            Package.kind == PackageKind.REQUEST,
            Package.request_id == request.id,
            Package.status == PackageStatus.RELEASED,
            Package.expires_at > now,
        )
        .order_by(Package.released_at.desc(), Package.id.desc())
    )
    return list(rows)


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


def _code_hash(secret: bytes, salt: str, package_id: int, code: str) -> str:
    message = f"download-code:{package_id}:{salt}:{code}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def issue_download_code(
    session: Session,
    package: Package,
    *,
    secret: bytes,
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
    _burn_codes(session, package, now)
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
    session: Session, package: Package, code: str, *, secret: bytes, now: datetime
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
    ok = _CODE.fullmatch(candidate) is not None and hmac.compare_digest(
        row.code_hash, _code_hash(secret, row.salt, package.id, candidate)
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


def record_download(
    session: Session, package: Package, *, actor: Actor, now: datetime, via: str
) -> None:
    """Count and audit one download (``via``: ``subject`` or ``controller``)."""
    downloadable(package, now)
    package.download_count += 1
    package.last_downloaded_at = now
    session.flush()
    audit.record(
        session,
        "package.downloaded",
        actor=actor,
        now=now,
        request_id=package.request_id,
        object_type="package",
        object_id=package.id,
        data=_audit_data(package, via=via, count=package.download_count),
    )


# --- Art. 20(2): direct transmission to another organisation ---------------------------

TRANSMISSION_TTL = timedelta(days=7)
TRANSMISSION_MAX_DOWNLOADS = 3


def transmit_package(
    session: Session,
    package: Package,
    code: str,
    *,
    recipient_name: str,
    recipient_email: str,
    secret: bytes,
    now: datetime,
    link: Callable[[Transmission], str],
    ttl: timedelta = TRANSMISSION_TTL,
) -> Transmission | None:
    """The subject confirms, with a fresh one-time code, that a portability package goes
    to the organisation at ``recipient_email``: that address gets an expiring link
    (``link(transmission)``) by mail. Returns None for a wrong code (the attempt counts;
    the caller commits). The link expires after ``ttl`` or with the package, and works
    for at most ``TRANSMISSION_MAX_DOWNLOADS`` downloads."""
    downloadable(package, now)
    if package.rights_request.right is not RightType.PORTABILITY:
        raise PermissionDenied(
            "only portability answers can be transmitted", code="not_portability"
        )
    name = " ".join(recipient_name.split())
    email = recipient_email.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("the organisation's name is required", code="recipient_name")
    if len(email) > 254 or not is_email_address(email):
        raise ValidationFailed(
            "the organisation's e-mail address is not valid", code="recipient_email"
        )
    if not redeem_download_code(session, package, code, secret=secret, now=now):
        return None
    transmission = Transmission(
        package_id=package.id,
        recipient_name=name,
        recipient_email=email,
        created_at=now,
        expires_at=min(now + ttl, package.expires_at),
        link_generation=package.link_generation,
        download_count=0,
    )
    session.add(transmission)
    session.flush()
    request = package.rights_request
    queue_mail(
        session,
        to=email,
        template="portability_transmission",
        language=request.language,
        now=now,
        request_id=request.id,
        context={
            "url": link(transmission),
            "recipient_name": name,
            "expires_at": transmission.expires_at.isoformat(),
        },
    )
    audit.record(
        session,
        "package.transmitted",
        actor=Actor.subject(),
        now=now,
        request_id=request.id,
        object_type="package",
        object_id=package.id,
        data={
            "transmission_id": transmission.id,
            "recipient_domain": email.rpartition("@")[2].lower(),
            "sha256": package.sha256,
        },
    )
    return transmission


def transmission_downloadable(transmission: Transmission, now: datetime) -> None:
    """Raise ``Gone`` unless the recipient's link still works."""
    package = transmission.package
    downloadable(package, now)
    if (
        transmission.link_generation != package.link_generation
        or now >= transmission.expires_at
        or transmission.download_count >= TRANSMISSION_MAX_DOWNLOADS
    ):
        raise Gone("this link is no longer valid", code="transmission_expired")


def record_transmission_download(
    session: Session, transmission: Transmission, *, now: datetime
) -> None:
    transmission_downloadable(transmission, now)
    transmission.download_count += 1
    transmission.last_downloaded_at = now
    session.flush()
    audit.record(
        session,
        "package.transmission_downloaded",
        actor=Actor("recipient"),
        now=now,
        request_id=transmission.package.request_id,
        object_type="package",
        object_id=transmission.package_id,
        data={
            "transmission_id": transmission.id,
            "count": transmission.download_count,
            "sha256": transmission.package.sha256,
        },
    )
