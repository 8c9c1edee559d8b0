"""API keys per controller organisation (docs/api.md, "Keys"). A key is 43 random URL-safe
characters; only its SHA-256 is stored (the key is high-entropy, so a plain hash is enough),
with its first 8 characters as the prefix shown in lists and used to revoke it. Every key
event is audited; the key itself never is."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import NotFound, ValidationFailed
from rights.models.api import ApiKey
from rights.models.org import Organisation, OrganisationKind

__all__ = [
    "API_ACTOR_KIND",
    "IssuedKey",
    "api_actor",
    "authenticate",
    "create_key",
    "keys_of",
    "revoke_key",
]

PREFIX_LENGTH = 8
API_ACTOR_KIND = "api_key"


def api_actor(key: ApiKey) -> Actor:
    """The audit actor of a call made with ``key``."""
    return Actor(API_ACTOR_KIND, key.id)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def create_key(
    session: Session,
    organisation: Organisation,
    *,
    actor: Actor,
    now: datetime,
    label: str = "",
    created_by_id: int | None = None,
) -> IssuedKey:
    """Make a key for a controller organisation (flushes; the caller commits)."""
    if organisation.kind is not OrganisationKind.CONTROLLER:
        raise ValidationFailed("api keys are for controller organisations", code="not_controller")
    if organisation.contract_ended_at is not None:
        raise ValidationFailed("the contract with this controller has ended", code="ended")
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        organisation_id=organisation.id,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=_digest(secret),
        label=label.strip()[:120],
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        "api.key_created",
        actor=actor,
        now=now,
        object_type="api_key",
        object_id=key.id,
        data={"organisation_id": organisation.id, "prefix": key.prefix},
    )
    return IssuedKey(key, secret)


def revoke_key(
    session: Session, organisation: Organisation, prefix: str, *, actor: Actor, now: datetime
) -> list[ApiKey]:
    """Revoke the organisation's live keys that start with ``prefix`` (flushes)."""
    prefix = prefix.strip()
    if len(prefix) != PREFIX_LENGTH:
        raise ValidationFailed("give the first 8 characters of the key", code="prefix_length")
    keys = list(
        session.scalars(
            select(ApiKey).where(
                ApiKey.organisation_id == organisation.id,
                ApiKey.prefix == prefix,
                ApiKey.revoked_at.is_(None),
            )
        )
    )
    if not keys:
        raise NotFound("no live key with that prefix for this organisation")
    for key in keys:
        key.revoked_at = now
        audit.record(
            session,
            "api.key_revoked",
            actor=actor,
            now=now,
            object_type="api_key",
            object_id=key.id,
            data={"organisation_id": organisation.id, "prefix": key.prefix},
        )
    session.flush()
    return keys


def authenticate(session: Session, secret: str, *, now: datetime) -> ApiKey | None:
    """The live key ``secret`` is, or None. Looked up by its hash (an index look-up of a
    digest of a high-entropy secret: nothing to learn from its timing). A key of an
    organisation whose contract ended opens nothing. Does not audit: the caller records the
    call it authorises (docs/api.md, "Every use is audited")."""
    if not secret or len(secret) > 200:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(secret)))
    if key is None or key.revoked_at is not None:
        return None
    if key.organisation.contract_ended_at is not None:
        return None
    key.last_used_at = now
    return key


def keys_of(session: Session, organisation: Organisation) -> list[ApiKey]:
    """The organisation's keys, live and revoked, newest first (for the admin page)."""
    found = session.scalars(
        select(ApiKey)
        .where(ApiKey.organisation_id == organisation.id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(found)
