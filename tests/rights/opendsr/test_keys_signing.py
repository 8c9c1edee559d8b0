"""The machine API's shared contract: keys are stored hashed, scoped and revocable, and a
signature covers the raw bytes (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import SYSTEM
from rights.errors import NotFound, ValidationFailed
from rights.models.api import ApiKey
from rights.models.org import Organisation, OrganisationKind
from rights.opendsr.keys import authenticate, create_key, revoke_key
from rights.opendsr.signing import ensure_development_pair, processor_domain, verify


def test_a_key_is_stored_only_as_its_hash_and_opens_its_organisation(
    db_session: Session, make_org: Callable[..., Organisation], now: datetime
) -> None:
    org = make_org()
    issued = create_key(db_session, org, actor=SYSTEM, now=now, label="CRM")
    stored = db_session.scalars(select(ApiKey)).one()
    assert issued.secret not in (stored.key_hash, stored.label)
    assert stored.prefix == issued.secret[:8]
    key = authenticate(db_session, issued.secret, now=now + timedelta(minutes=1))
    assert key is not None and key.organisation_id == org.id
    assert key.last_used_at == now + timedelta(minutes=1)
    assert authenticate(db_session, issued.secret + "x", now=now) is None
    assert authenticate(db_session, "", now=now) is None


def test_a_revoked_key_or_an_ended_contract_opens_nothing(
    db_session: Session, make_org: Callable[..., Organisation], now: datetime
) -> None:
    org, other = make_org(), make_org()
    first = create_key(db_session, org, actor=SYSTEM, now=now)
    second = create_key(db_session, other, actor=SYSTEM, now=now)
    with pytest.raises(NotFound):
        revoke_key(db_session, other, first.secret[:8], actor=SYSTEM, now=now)
    with pytest.raises(ValidationFailed):
        revoke_key(db_session, org, first.secret[:5], actor=SYSTEM, now=now)
    revoke_key(db_session, org, first.secret[:8], actor=SYSTEM, now=now)
    assert authenticate(db_session, first.secret, now=now) is None
    other.contract_ended_at = now
    assert authenticate(db_session, second.secret, now=now) is None


def test_only_controllers_get_keys(
    db_session: Session, make_org: Callable[..., Organisation], now: datetime
) -> None:
    with pytest.raises(ValidationFailed):
        create_key(db_session, make_org(OrganisationKind.OPERATOR), actor=SYSTEM, now=now)


def test_the_signature_is_over_the_raw_bytes(tmp_path: Path) -> None:
    signer = ensure_development_pair(tmp_path, "localhost")
    body = b'{"request_status": "completed", "subject_request_id": "a"}'
    signature = signer.sign(body)
    assert verify(signer.certificate_pem, body, signature)
    reserialised = b'{"request_status":"completed","subject_request_id":"a"}'
    assert not verify(signer.certificate_pem, reserialised, signature)
    assert not verify(signer.certificate_pem, body, "not base64!")
    # Made once: a second call loads the same pair.
    assert ensure_development_pair(tmp_path, "localhost").certificate_pem == signer.certificate_pem


def test_the_processor_domain_is_the_host_of_the_base_url() -> None:
    assert processor_domain("https://Privacy.Example.nl:8443/portal") == "privacy.example.nl"
