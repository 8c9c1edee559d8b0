"""Export packages at rest and the delivery rules: encryption, four eyes, revoke and
re-issue, expiry and purge, one-time codes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rights import crypto, packages
from rights.audit import SYSTEM, Actor, verify_chain
from rights.errors import Gone, PermissionDenied, ValidationFailed
from rights.models import AuditEvent, DownloadCode, OutboxMail, PackageStatus, Role

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SECRET = b"k" * 32
CONTENT = b"PK\x03\x04" + b"Eva de Boer woont op Dorpsstraat 1 " * 3000


@pytest.fixture
def store(tmp_path: Path) -> packages.PackageStore:
    return packages.PackageStore(
        root=tmp_path / "pkgs", key=crypto.parse_key(crypto.generate_key()), chunk_size=4096
    )


@pytest.fixture
def officers(make_user):
    return make_user(Role.OFFICER), make_user(Role.OFFICER)


@pytest.fixture
def built(db_session, make_request, store, officers):
    req = make_request()
    req.email_verified_at = NOW
    pkg = packages.store_package(
        db_session,
        store,
        req,
        lambda out: out.write(CONTENT),
        formats=["json", "csv"],
        language="nl",
        actor=Actor.user(officers[0].id),
        now=NOW,
    )
    db_session.commit()
    return pkg


def release(db_session, pkg, officer):
    packages.release_package(db_session, pkg, actor=Actor.user(officer.id), now=NOW)


def test_stored_encrypted_with_plaintext_checksum(built, store):
    raw = store.path(built.storage_key).read_bytes()
    assert b"Eva de Boer" not in raw and b"Dorpsstraat" not in raw
    assert built.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert built.size == len(CONTENT)
    assert b"".join(store.open_verified(built)) == CONTENT
    assert built.expires_at == NOW + timedelta(days=30)
    assert built.status is PackageStatus.BUILT


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_file_serves_nothing(built, store, damage):
    path = store.path(built.storage_key)
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0x80
    else:
        del blob[-100:]
    path.write_bytes(bytes(blob))
    with pytest.raises(crypto.DecryptionFailed):
        store.open_verified(built)  # raises before the first byte is handed out


def test_file_moved_onto_another_package_fails(db_session, built, store):
    other = packages.store_package(
        db_session,
        store,
        built.request,
        lambda out: out.write(CONTENT),
        formats=["json"],
        language="nl",
        actor=SYSTEM,
        now=NOW,
    )
    store.path(other.storage_key).write_bytes(store.path(built.storage_key).read_bytes())
    with pytest.raises(crypto.DecryptionFailed):
        store.open_verified(other)


def test_a_failing_producer_leaves_no_file(db_session, make_request, store):
    req = make_request()

    def broken(out):
        out.write(b"half a zip")
        raise ValidationFailed("bad record")

    with pytest.raises(ValidationFailed):
        packages.store_package(
            db_session, store, req, broken, formats=["json"], language="nl", actor=SYSTEM, now=NOW
        )
    db_session.rollback()
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_four_eyes_on_release_and_reissue(db_session, built, officers):
    preparer, second = officers
    with pytest.raises(PermissionDenied) as err:
        release(db_session, built, preparer)
    assert err.value.code == "four_eyes"
    with pytest.raises(PermissionDenied):
        packages.release_package(db_session, built, actor=SYSTEM, now=NOW)
    release(db_session, built, second)
    assert built.status is PackageStatus.RELEASED and built.released_by_id == second.id
    packages.revoke_package(db_session, built, actor=Actor.user(preparer.id), now=NOW)
    with pytest.raises(PermissionDenied):
        packages.reissue_package(db_session, built, actor=Actor.user(preparer.id), now=NOW)
    generation = built.link_generation
    packages.reissue_package(db_session, built, actor=Actor.user(second.id), now=NOW)
    assert built.status is PackageStatus.RELEASED
    assert built.link_generation == generation + 1
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "package")
    ).all()
    assert actions == ["package.built", "package.released", "package.revoked", "package.reissued"]


def test_purge_removes_the_file_and_keeps_the_checksum(db_session, built, store, officers):
    release(db_session, built, officers[1])
    path = store.path(built.storage_key)
    assert packages.purge_expired(db_session, store, now=NOW + timedelta(days=29)) == 0
    assert path.exists()
    assert packages.purge_expired(db_session, store, now=NOW + timedelta(days=30)) == 1
    db_session.commit()
    assert not path.exists()
    assert (
        built.status is PackageStatus.PURGED and built.sha256 == hashlib.sha256(CONTENT).hexdigest()
    )
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.purged")
    ).one()
    assert event.data["sha256"] == built.sha256
    assert "Eva" not in str(event.data)
    assert verify_chain(db_session).ok
    with pytest.raises(Gone):
        packages.reissue_package(db_session, built, actor=Actor.user(officers[1].id), now=NOW)


def test_retention_is_configurable(db_session, make_request, store):
    req = make_request()
    pkg = packages.store_package(
        db_session,
        store,
        req,
        lambda out: out.write(b"x"),
        formats=["json"],
        language="en",
        actor=SYSTEM,
        now=NOW,
        retention=timedelta(days=7),
    )
    assert pkg.expires_at == NOW + timedelta(days=7)


def _issue(db_session, pkg, now=NOW):
    packages.issue_download_code(db_session, pkg, secret=SECRET, now=now)
    mail = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    return mail.context["code"], mail


def test_code_is_mailed_stored_hashed_and_works_once(db_session, built, officers):
    release(db_session, built, officers[1])
    code, mail = _issue(db_session, built)
    assert mail.to_addr == "eva@example.nl" and mail.template == "download_code"
    row = db_session.scalars(select(DownloadCode)).one()
    assert code not in row.code_hash and len(code) == 6
    assert packages.redeem_download_code(db_session, built, code, secret=SECRET, now=NOW)
    assert not packages.redeem_download_code(db_session, built, code, secret=SECRET, now=NOW)


def test_code_expires(db_session, built, officers):
    release(db_session, built, officers[1])
    code, _ = _issue(db_session, built)
    later = NOW + packages.CODE_TTL + timedelta(seconds=1)
    assert not packages.redeem_download_code(db_session, built, code, secret=SECRET, now=later)


def test_new_code_replaces_the_old_one(db_session, built, officers):
    release(db_session, built, officers[1])
    old, _ = _issue(db_session, built)
    new, _ = _issue(db_session, built, NOW + timedelta(seconds=5))
    assert not packages.redeem_download_code(db_session, built, old, secret=SECRET, now=NOW)
    if new != old:
        assert packages.redeem_download_code(db_session, built, new, secret=SECRET, now=NOW)


def test_wrong_codes_burn_the_code(db_session, built, officers):
    release(db_session, built, officers[1])
    code, _ = _issue(db_session, built)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(packages.MAX_CODE_ATTEMPTS):
        assert not packages.redeem_download_code(db_session, built, wrong, secret=SECRET, now=NOW)
    assert not packages.redeem_download_code(db_session, built, code, secret=SECRET, now=NOW)


@pytest.mark.parametrize("candidate", ["１２３４５６", "12345", "1234567", " ", "12 456"])
def test_malformed_codes_never_match(db_session, built, officers, candidate):
    release(db_session, built, officers[1])
    _issue(db_session, built)
    assert not packages.redeem_download_code(db_session, built, candidate, secret=SECRET, now=NOW)


def test_codes_are_rate_limited(db_session, built, officers):
    release(db_session, built, officers[1])
    for i in range(packages.CODES_PER_WINDOW):
        _issue(db_session, built, NOW + timedelta(seconds=i))
    with pytest.raises(packages.TooManyCodes):
        _issue(db_session, built, NOW + timedelta(minutes=1))
    _issue(db_session, built, NOW + packages.CODE_WINDOW + timedelta(minutes=1))


def test_no_code_without_a_verified_address(db_session, built, officers):
    release(db_session, built, officers[1])
    built.request.email_verified_at = None
    with pytest.raises(PermissionDenied):
        _issue(db_session, built)


def test_no_code_for_a_package_that_is_not_released(db_session, built):
    with pytest.raises(Gone):
        _issue(db_session, built)


def test_download_is_counted_and_audited(db_session, built, officers):
    release(db_session, built, officers[1])
    packages.record_download(db_session, built, actor=Actor.subject(), now=NOW, via="subject")
    assert built.download_count == 1
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.downloaded")
    ).one()
    assert event.data == {"sha256": built.sha256, "via": "subject", "count": 1}
    with pytest.raises(Gone):
        packages.record_download(
            db_session, built, actor=Actor.subject(), now=built.expires_at, via="subject"
        )


def test_codes_die_with_a_revoked_link(db_session, built, officers):
    release(db_session, built, officers[1])
    code, _ = _issue(db_session, built)
    packages.revoke_package(db_session, built, actor=Actor.user(officers[0].id), now=NOW)
    packages.reissue_package(db_session, built, actor=Actor.user(officers[1].id), now=NOW)
    assert not packages.redeem_download_code(db_session, built, code, secret=SECRET, now=NOW)
