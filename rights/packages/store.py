"""Export packages at rest (issue 8, docs/security.md): the plaintext ZIP the exporters
built, stored encrypted in chunks (:func:`rights.crypto.encrypt_stream`) with the package id
as associated data, under a random storage key. The row keeps the SHA-256 and size of the
plaintext. The ZIP is streamed into the encryptor: the plaintext never touches the disk.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from rights import audit, crypto
from rights.audit import Actor
from rights.blobs import BlobMissing, Blobs, LocalBlobs, blob_key
from rights.errors import ValidationFailed
from rights.models.org import Organisation
from rights.models.package import Package, PackageKind, PackageStatus
from rights.models.request import RightsRequest
from rights.packages.rules import user_id_of

DEFAULT_RETENTION = timedelta(days=30)


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
    """Encrypted package files, one per package, named by a random key, in a blob backend:
    the directory ``root`` unless ``blobs`` names another (S3, see ``rights.blobs``)."""

    root: Path
    key: crypto.Key
    chunk_size: int = crypto.DEFAULT_CHUNK_SIZE
    blobs: Blobs | None = None

    @property
    def backend(self) -> Blobs:
        return self.blobs if self.blobs is not None else LocalBlobs(self.root)

    def path(self, storage_key: str) -> Path:
        """Where a package lies in the local directory backend."""
        return self.root / blob_key(storage_key)

    def write(self, package: Package, produce: Producer) -> tuple[str, int]:
        """Encrypt what ``produce(out)`` writes into the package's file, never holding the
        plaintext on disk or in memory; returns the plaintext SHA-256 and size. The file
        appears whole or not at all."""
        with self.backend.writer(blob_key(package.storage_key)) as out:
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
        return writer.digest.hexdigest(), encryptor.size

    def verify(self, package: Package) -> None:
        """Authenticate the whole file and compare it with the row; raises DecryptionFailed."""
        try:
            with self.backend.reader(blob_key(package.storage_key)) as src:
                digest, size = crypto.verify_stream(self.key, src, _associated(package))
        except BlobMissing:
            raise crypto.DecryptionFailed("the package file is missing") from None
        if digest != package.sha256 or size != package.size:
            raise crypto.DecryptionFailed("the package file does not match its checksum")

    def chunks(self, package: Package) -> Iterator[bytes]:
        """The plaintext ZIP, chunk by chunk; call :meth:`verify` first. Key and associated
        data are taken now, so the iterator works after the session has closed (a streamed
        response is consumed after the request)."""
        return self._chunks(blob_key(package.storage_key), _associated(package))

    def _chunks(self, key: str, associated_data: bytes) -> Iterator[bytes]:
        with self.backend.reader(key) as src:
            yield from crypto.decrypt_stream(self.key, src, associated_data)

    def open_verified(self, package: Package) -> Iterator[bytes]:
        """Verify the whole file, then return an iterator over its plaintext. Nothing is
        returned (DecryptionFailed) when a single byte was changed, moved or cut off."""
        self.verify(package)
        return self.chunks(package)

    def remove(self, package: Package) -> None:
        self.backend.delete(blob_key(package.storage_key))


def _associated(package: Package) -> bytes:
    if package.kind == PackageKind.RETURN:
        return f"return-package:{package.id}:{package.organisation_id}".encode()
    return f"package:{package.id}:{package.request_id}".encode()


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
    package.status = PackageStatus.BUILT  # where every package starts (not a transition)
    package.sha256 = "0" * 64
    package.size = 0
    package.storage_key = secrets.token_urlsafe(24)
    package.prepared_by_id = user_id_of(actor)
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
