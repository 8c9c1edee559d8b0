"""The data source registry: definitions (:mod:`rights.sources.definition`) stored as
:class:`DataSource` rows, and the encrypted connection URL of an SQL source.

The connection URL of an SQL source is a secret: it is never part of the stored mapping and
is kept encrypted (:func:`set_source_url`). A TOML ``url`` key is accepted for convenience
and encrypted on load.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.controllers.contract import check_contract_running
from rights.crypto import Key, decrypt, encrypt
from rights.errors import NotFound, SourceError, ValidationFailed
from rights.models.org import Organisation
from rights.models.source import DataSource, SourceKind
from rights.sources.definition import (
    IDENTITY_ROLES,
    SourceSpec,
    TableSpec,
    parse_source_toml,
    table_specs,
)

# The definition names were defined here before the split; callers may import them here.
from rights.sources.url_policy import SourceUrlPolicy

__all__ = [
    "IDENTITY_ROLES",
    "SourceSpec",
    "TableSpec",
    "load_source",
    "parse_source_toml",
    "set_source_url",
    "source_url",
    "table_specs",
]


def _url_ad(source: DataSource) -> bytes:
    return f"data_source:{source.slug}".encode()


def set_source_url(
    source: DataSource, url: str, *, key: Key, policy: SourceUrlPolicy | None = None
) -> None:
    """Store an SQLAlchemy URL encrypted; the plaintext is never stored or logged. With a
    ``policy`` (every path an admin uses), the URL must pass it (``ValidationFailed``)."""
    try:
        make_url(url)
    except ArgumentError as exc:
        raise ValidationFailed("not a database URL", code="bad_source_url") from exc
    if policy is not None:
        policy.check(url)
    source.url_enc = encrypt(key, url.encode(), _url_ad(source))


def source_url(source: DataSource, *, key: Key) -> str:
    if source.url_enc is None:
        raise SourceError("The source has no database URL.", code="no_url", source=source.slug)
    return decrypt(key, source.url_enc, _url_ad(source)).decode()


def load_source(
    session: Session,
    spec: SourceSpec,
    *,
    actor: Actor,
    now: datetime,
    key: Key,
    url: str | None = None,
    policy: SourceUrlPolicy | None = None,
) -> DataSource:
    """Create or update the source ``spec.slug`` (flushes, audits). Raises ``Conflict``
    (code ``contract_ended``, param ``about="source"``) once the owner's contract ended: a
    source would start processing for it again (``rights.controllers.contract``)."""
    owner = session.scalar(select(Organisation).where(Organisation.slug == spec.owner))
    if owner is None:
        raise NotFound("The owner organisation does not exist.", code="unknown_owner")
    check_contract_running(owner, about="source")
    source = session.scalar(select(DataSource).where(DataSource.slug == spec.slug))
    created = source is None
    if source is None:
        source = DataSource(slug=spec.slug, kind=spec.kind, created_at=now)
        session.add(source)
    elif source.kind is not spec.kind:
        raise ValidationFailed("A source cannot change its kind.", code="kind_changed")
    source.name = spec.name
    source.organisation_id = owner.id
    source.purposes = list(spec.purposes)
    source.legal_basis = list(spec.legal_basis)
    source.categories = list(spec.categories)
    source.retention = spec.retention
    source.source_of_data = spec.source_of_data
    source.backup_rotation = spec.backup_rotation
    source.recipients = [dict(r) for r in spec.recipients]
    source.mapping = spec.mapping()
    source.updated_at = now
    url = url or spec.url
    if url:
        set_source_url(source, url, key=key, policy=policy)
    elif spec.kind is SourceKind.SQL and source.url_enc is None:
        raise ValidationFailed("An SQL source needs a database URL.", code="no_url")
    session.flush()
    record(
        session,
        "source.created" if created else "source.updated",
        actor=actor,
        now=now,
        object_type="data_source",
        object_id=source.id,
        data={"slug": source.slug, "kind": source.kind.value, "url_set": bool(url)},
    )
    return source
