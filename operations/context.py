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

from rights.audit import SYSTEM, Actor
from rights.db import now_utc
from rights.documents import DEFAULT_MAX_BYTES, DocumentStore
from rights.identifiers import derive_hash_key
from rights.keys import Keyring, Purpose
from rights.packages import PackageStore
from rights.policy import Policy


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

    # --- keys and stores: the only places that pick a key for a purpose ------------------

    def document_store(self) -> DocumentStore:
        root = self.settings.document_dir or self.settings.instance_path / "documents"
        return DocumentStore(
            root=Path(root), key=self.keyring.legacy, max_bytes=self.settings.upload_max_bytes
        )

    def package_store(self) -> PackageStore:
        root = self.settings.package_dir or self.settings.instance_path / "packages"
        return PackageStore(root=Path(root), key=self.keyring.legacy)

    def package_retention(self) -> timedelta:
        return timedelta(days=self.settings.package_retention_days)

    def identifier_hash_key(self) -> bytes:
        """Key of the keyed hashes of identifiers (suppression list, record index)."""
        return derive_hash_key(self.keyring.legacy)

    def download_code_key(self) -> bytes:
        return self.keyring.legacy

    def connector_key(self) -> bytes:
        """Key of encrypted data-source connection URLs."""
        return self.keyring.legacy

    def seed_key(self) -> bytes:
        """Key of encrypted TOTP seeds."""
        return self.keyring.legacy

    def search_audit_key(self) -> bytes:
        return self.keyring.key(Purpose.SEARCH_AUDIT)
