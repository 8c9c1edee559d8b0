"""Uploaded documents: checked by their magic bytes, stored encrypted under a random key, deleted
(content gone, row kept) as soon as they are no longer needed (docs/legal.md, "Establishing
identity").

The store is a blob backend (a directory by default, or S3: ``rights.blobs``); each file is
AES-256-GCM encrypted with the document id as associated data, so a file copied onto
another document's key does not decrypt.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit, crypto
from rights.audit import Actor
from rights.blobs import Blobs, LocalBlobs, blob_key
from rights.errors import Gone, ValidationFailed
from rights.models.case import Document, DocumentKind, Message, Party
from rights.models.request import RightsRequest

# Only these types are accepted (docs/security.md, "Uploads checked by content"): recognised by
# content, never by name.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def sniff_content_type(data: bytes) -> str | None:
    """The content type a file's first bytes prove, or None when it is none we accept."""
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            return content_type
    return None


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_like_text(data: bytes) -> bool:
    """UTF-8 (or Windows-1252) text without NUL or other control characters."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _TEXT_BAD.search(text) is None
    return False


def _is_xlsx(data: bytes) -> bool:
    """A ZIP whose directory names a workbook (only the directory is read, nothing inflated)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def sniff_task_answer_type(data: bytes, filename: str = "") -> str | None:
    """What a manual source's named person may send back: PDF, PNG, JPEG, XLSX, CSV or plain
    text. Recognised by content; the name only tells CSV from other text."""
    known = sniff_content_type(data)
    if known is not None:
        return known
    if _is_xlsx(data):
        return XLSX_TYPE
    if data.startswith(b"PK") or not _looks_like_text(data):
        return None
    return "text/csv" if filename.lower().endswith(".csv") else "text/plain"


def safe_filename(name: str) -> str:
    """A display name without directories or control characters. Never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("", base).strip(" .")
    return base[:200] or "document"


@dataclass(frozen=True)
class DocumentStore:
    """Encrypted documents in a blob backend: the directory ``root`` unless ``blobs`` names
    another (an S3 bucket, see ``rights.blobs``). The backend only ever holds ciphertext."""

    root: Path
    key: crypto.Key
    max_bytes: int = DEFAULT_MAX_BYTES
    blobs: Blobs | None = None

    @property
    def backend(self) -> Blobs:
        return self.blobs if self.blobs is not None else LocalBlobs(self.root)

    def path(self, storage_key: str) -> Path:
        """Where a document lies in the local directory backend."""
        return self.root / blob_key(storage_key)

    def write(self, doc: Document, data: bytes) -> None:
        blob = crypto.encrypt(self.key, data, _associated(doc))
        self.backend.put(blob_key(doc.storage_key), blob)

    def read(self, doc: Document) -> bytes:
        if doc.deleted_at is not None:
            raise Gone("this document has been deleted", code="document_deleted")
        blob = self.backend.get(blob_key(doc.storage_key))
        return crypto.decrypt(self.key, blob, _associated(doc))

    def remove(self, doc: Document) -> None:
        self.backend.delete(blob_key(doc.storage_key))


def _associated(doc: Document) -> bytes:
    return f"document:{doc.id}:{doc.request_id}".encode()


def store_document(
    session: Session,
    store: DocumentStore,
    request: RightsRequest,
    data: bytes,
    *,
    filename: str,
    kind: DocumentKind,
    uploaded_by: Party,
    actor: Actor,
    now: datetime,
    message: Message | None = None,
    sniff: Callable[[bytes, str], str | None] | None = None,
) -> Document:
    """Check and store one upload. Raises ``ValidationFailed`` (code ``file_empty``,
    ``file_too_large`` or ``file_type``) before anything is written."""
    if not data:
        raise ValidationFailed("the file is empty", code="file_empty")
    if len(data) > store.max_bytes:
        raise ValidationFailed("the file is too large", code="file_too_large")
    if sniff is None:
        content_type = sniff_content_type(data)
        if content_type is None:
            raise ValidationFailed("only PDF, PNG and JPEG files are accepted", code="file_type")
    else:
        content_type = sniff(data, filename)
        if content_type is None:
            raise ValidationFailed(
                "only PDF, PNG, JPEG, XLSX, CSV and text files are accepted", code="file_type"
            )
    doc = Document(
        request_id=request.id,
        message_id=message.id if message is not None else None,
        kind=kind,
        uploaded_by=uploaded_by,
        storage_key=secrets.token_urlsafe(24),
        filename=safe_filename(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=now,
    )
    session.add(doc)
    session.flush()
    store.write(doc, data)
    audit.record(
        session,
        "document.stored",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="document",
        object_id=doc.id,
        data={"kind": kind.value, "sha256": doc.sha256, "size": doc.size},
    )
    return doc


def delete_document(
    session: Session,
    store: DocumentStore,
    doc: Document,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Remove the content for good; the row keeps that it existed and its checksum."""
    if doc.deleted_at is not None:
        return
    store.remove(doc)
    doc.deleted_at = now
    doc.deleted_reason = reason[:40]
    session.flush()
    audit.record(
        session,
        "document.deleted",
        actor=actor,
        now=now,
        request_id=doc.request_id,
        object_type="document",
        object_id=doc.id,
        data={"reason": doc.deleted_reason, "sha256": doc.sha256},
    )


# Material obtained to establish identity or authority (docs/legal.md, "Case retention").
IDENTITY_MATERIAL = (DocumentKind.ID_DOCUMENT, DocumentKind.MANDATE, DocumentKind.EVIDENCE)


def delete_id_documents(
    session: Session, store: DocumentStore, request: RightsRequest, *, actor: Actor, now: datetime
) -> int:
    """ID-5: once the officer has recorded the identity check, the copies go, and with them
    mandates and any evidence sent in (an ID sent in answer to a clarification question is
    stored as evidence): docs/legal.md, "Case retention"."""
    docs = session.scalars(
        select(Document).where(
            Document.request_id == request.id,
            Document.kind.in_(IDENTITY_MATERIAL),
            Document.deleted_at.is_(None),
        )
    )
    count = 0
    for doc in list(docs):
        delete_document(session, store, doc, reason="identity_checked", actor=actor, now=now)
        count += 1
    return count
