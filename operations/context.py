"""The ``Context`` every use case takes: who acts, when, on which session, with which keys,
settings, file stores and texts. Built once per request, command or worker pass by
``portal.context`` (or by a test) without touching Flask globals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rights.audit import SYSTEM, Actor
from rights.db import now_utc
from rights.keys import Keyring
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
    upload_max_bytes: int = 10 * 1024 * 1024
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
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
