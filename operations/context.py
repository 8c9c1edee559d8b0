"""The ``Context`` every use case takes: who acts, when, on which session, with which keys,
settings, file stores and texts. Built once per request, command or worker pass by
``portal.context`` (or by a test) without touching Flask globals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from operations.texts import Texts, texts
from rights.audit import SYSTEM, Actor
from rights.blobs import Blobs, from_url
from rights.crypto import PurposeKey
from rights.db import now_utc
from rights.documents import DEFAULT_MAX_BYTES, DocumentStore
from rights.keys import Keyring, Purpose, SourceKeys
from rights.packages import PackageStore
from rights.policy import Policy
from rights.reminders import REMINDER_HOUR
from rights.sources.url_policy import SourceUrlPolicy


@dataclass(frozen=True)
class Settings:
    """Plain configuration values the use cases need (no Flask config object)."""

    base_url: str = "http://localhost:5000"
    secret_key: str = field(default="", repr=False)
    instance_path: Path = Path("instance")
    document_dir: Path | None = None
    package_dir: Path | None = None
    package_retention_days: int = 30
    upload_max_bytes: int = DEFAULT_MAX_BYTES
    reminder_hour: int = REMINDER_HOUR
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """One use case's world. Frozen: derive a changed one with ``acting_as`` and friends."""

    session: Session
    keyring: Keyring
    policy: Policy = field(default_factory=Policy)
    settings: Settings = field(default_factory=Settings)
    actor: Actor = SYSTEM
    clock: Callable[[], datetime] = now_utc
    language: str = "nl"

    def now(self) -> datetime:
        """The aware UTC instant the use case acts at (frozen in tests)."""
        return self.clock()

    def acting_as(self, actor: Actor) -> Context:
        return replace(self, actor=actor)

    def with_session(self, session: Session) -> Context:
        return replace(self, session=session)

    def in_language(self, language: str) -> Context:
        return replace(self, language=language)

    def texts(self, language: str | None = None) -> Texts:
        """Gettext and templates in ``language`` (default: the context's language)."""
        return texts(language or self.language)

    # --- keys and stores: the only places that pick a key for a purpose ------------------
    # Each returns the purpose key of rights.keys; PurposeKey values also carry the legacy
    # (master) key, so data written before the keyring still reads (docs/architecture.md).

    def blobs(self, area: str) -> Blobs | None:
        """The backend ``PORTAL_STORAGE_URL`` names for ``area`` (``documents``,
        ``packages``), or None for the local folders (docs/security.md, "File store")."""
        extra = self.settings.extra
        url = str(extra.get("STORAGE_URL") or "")
        if not url:
            return None
        return from_url(url, area, endpoint_url=str(extra.get("S3_ENDPOINT_URL") or "") or None)

    def document_store(self) -> DocumentStore:
        root = self.settings.document_dir or self.settings.instance_path / "documents"
        return DocumentStore(
            root=Path(root),
            key=self.keyring.purpose_key(Purpose.DOCUMENTS),
            max_bytes=self.settings.upload_max_bytes,
            blobs=self.blobs("documents"),
        )

    def package_store(self) -> PackageStore:
        root = self.settings.package_dir or self.settings.instance_path / "packages"
        key = self.keyring.purpose_key(Purpose.PACKAGES)
        return PackageStore(root=Path(root), key=key, blobs=self.blobs("packages"))

    def package_retention(self) -> timedelta:
        return timedelta(days=self.settings.package_retention_days)

    def identifier_hash_key(self) -> bytes:
        """Key of the keyed hashes of identifiers (suppression list, record index): the v1
        derivation, because the stored hashes cannot be recomputed."""
        return self.keyring.key(Purpose.IDENTIFIER_HASH)

    def download_code_key(self) -> PurposeKey:
        """Key of the one-time download-code hashes (codes issued before the keyring still
        verify against the legacy key until they expire)."""
        return self.keyring.purpose_key(Purpose.DOWNLOAD_CODES)

    def connector_key(self) -> PurposeKey:
        """Key of encrypted data-source connection URLs."""
        return self.keyring.purpose_key(Purpose.CONNECTOR_URLS)

    def source_keys(self) -> SourceKeys:
        """The keys data-source work takes: connection URLs and identifier hashes."""
        return SourceKeys(
            connector=self.connector_key(), identifier_hash=self.identifier_hash_key()
        )

    def seed_key(self) -> PurposeKey:
        """Key of encrypted TOTP seeds."""
        return self.keyring.purpose_key(Purpose.TOTP_SEEDS)

    def source_url_policy(self) -> SourceUrlPolicy:
        """What a data source's database URL may be: not the portal's own database, SQLite
        only inside ``PORTAL_SOURCE_SQLITE_DIR`` (default: the instance folder), other hosts
        only from ``PORTAL_SOURCE_ALLOWED_HOSTS`` when that is set."""
        extra = self.settings.extra
        folder = extra.get("SOURCE_SQLITE_DIR") or self.settings.instance_path
        hosts = extra.get("SOURCE_ALLOWED_HOSTS") or ()
        return SourceUrlPolicy(
            portal_url=str(extra.get("DATABASE_URL") or "sqlite://"),
            sqlite_folder=Path(folder),
            allowed_hosts=frozenset(str(h).strip().lower() for h in hosts if str(h).strip()),
        )

    def search_audit_key(self) -> bytes:
        """Key of the hash that audits a staff search without storing its terms."""
        return self.keyring.key(Purpose.SEARCH_AUDIT)
