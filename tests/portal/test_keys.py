"""Keys (docs/architecture.md, "Keys"): every purpose has its own key from the keyring, and
data written before the keyring, by the functions as they were, still decrypts and verifies.

The ``old_*`` functions below are the pre-keyring code, written out here so that the test
does not lean on the code it checks: AES-GCM blobs and STREAM files under the master key
itself, identifier hashes under the v1 derivation, download codes hashed under the master key.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from operations.mailing import filter_mailing
from operations.packages import build_request_package, request_export_package
from portal.context import context_for, key_context
from rights import crypto, packages
from rights.audit import Actor
from rights.authentication import totp_secret
from rights.crypto import DecryptionFailed, PurposeKey
from rights.identifiers import identifier_hash
from rights.keys import Keyring, Purpose, SourceKeys
from rights.models import OutboxMail, Package, Role
from rights.models.case import Document
from rights.models.org import User
from rights.models.package import DownloadCode, PackageKind
from rights.models.source import DataSource, SuppressionEntry
from rights.requests import Requester
from rights.sources.registry import set_source_url, source_url

# --- the code before the keyring ------------------------------------------------------


def old_encrypt(master: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(master).encrypt(nonce, plaintext, associated_data)


def old_encrypt_stream(
    master: bytes, plaintext: bytes, associated_data: bytes, chunk_size: int = 64
) -> bytes:
    header = b"DSRS" + b"\x02" + chunk_size.to_bytes(4, "big") + os.urandom(7)
    prefix = header[-7:]
    parts = [plaintext[i : i + chunk_size] for i in range(0, len(plaintext), chunk_size)]
    parts = parts or [b""]
    out = [header]
    for index, part in enumerate(parts):
        final = index == len(parts) - 1
        nonce = prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")
        ad = b"|".join(
            (associated_data, header, index.to_bytes(8, "big"), b"final" if final else b"more")
        )
        out.append(AESGCM(master).encrypt(nonce, part, ad))
    return b"".join(out)


def old_identifier_hash_key(master: bytes) -> bytes:
    return hmac.new(master, b"dsr-portal/identifier-hash/v1", hashlib.sha256).digest()


def old_code_hash(master: bytes, salt: str, package_id: int, code: str) -> str:
    message = f"download-code:{package_id}:{salt}:{code}".encode()
    return hmac.new(master, message, hashlib.sha256).hexdigest()


@pytest.fixture
def master(app) -> bytes:
    return key_context(app).keyring.master


# --- the keyring ------------------------------------------------------------------------


def test_every_purpose_has_its_own_key_and_none_is_the_master_key(master):
    keyring = Keyring(master)
    keys = [keyring.key(purpose) for purpose in Purpose]
    assert len(set(keys)) == len(keys)
    assert master not in keys
    other = Keyring(os.urandom(32))
    assert not set(keys) & {other.key(purpose) for purpose in Purpose}


def test_the_identifier_hash_keeps_its_v1_derivation(app, master):
    assert key_context(app).identifier_hash_key() == old_identifier_hash_key(master)


def test_new_data_is_not_readable_with_the_master_key(app, master):
    ctx = key_context(app)
    blob = crypto.encrypt(ctx.seed_key(), b"seed", b"ad")
    assert blob[:1] == crypto.VERSION
    with pytest.raises(DecryptionFailed):
        crypto.decrypt(master, blob, b"ad")
    with pytest.raises(DecryptionFailed):  # nor with the key of another purpose
        crypto.decrypt(ctx.connector_key(), blob, b"ad")
    out = io.BytesIO()
    crypto.encrypt_stream(ctx.package_store().key, io.BytesIO(b"zip" * 100), out, b"ad")
    with pytest.raises(DecryptionFailed):
        list(crypto.decrypt_stream(master, io.BytesIO(out.getvalue()), b"ad"))


def test_a_purpose_key_without_legacy_reads_no_old_data(master):
    blob = old_encrypt(master, b"x", b"ad")
    with pytest.raises(DecryptionFailed):
        crypto.decrypt(PurposeKey(current=Keyring(master).key(Purpose.DOCUMENTS)), blob, b"ad")


# --- old data, read by today's code -----------------------------------------------------


def test_an_old_document_still_decrypts(app, master, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_DIR", str(tmp_path))
    store = key_context(app).document_store()
    doc = Document(id=7, request_id=3, storage_key="k" * 32)
    path = store.path(doc.storage_key)
    path.parent.mkdir(parents=True)
    path.write_bytes(old_encrypt(master, b"%PDF-1.4 scan", b"document:7:3"))
    assert store.read(doc) == b"%PDF-1.4 scan"
    doc.id = 8  # the old file moved onto another document still fails
    with pytest.raises(DecryptionFailed):
        store.read(doc)


def test_an_old_package_stream_still_verifies_and_decrypts(app, master, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PACKAGE_DIR", str(tmp_path))
    store = key_context(app).package_store()
    plaintext = os.urandom(300)  # several chunks of the old file
    package = Package(
        id=5,
        request_id=9,
        kind=PackageKind.REQUEST,
        storage_key="p" * 32,
        sha256=hashlib.sha256(plaintext).hexdigest(),
        size=len(plaintext),
    )
    path = store.path(package.storage_key)
    path.parent.mkdir(parents=True)
    path.write_bytes(old_encrypt_stream(master, plaintext, b"package:5:9"))
    assert b"".join(store.open_verified(package)) == plaintext
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(DecryptionFailed):
        store.verify(package)


def test_an_old_totp_seed_still_decrypts(app, master):
    user = User(id=11)
    user.totp_secret_enc = old_encrypt(master, b"JBSWY3DPEHPK3PXP", b"totp-seed:user:11")
    assert totp_secret(user, key_context(app).seed_key()) == "JBSWY3DPEHPK3PXP"


def test_an_old_connector_url_still_decrypts_and_a_new_one_uses_the_purpose_key(app, master):
    url = "postgresql://crm:secret@db.example/crm"
    source = DataSource(slug="crm")
    source.url_enc = old_encrypt(master, url.encode(), b"data_source:crm")
    keys = key_context(app).source_keys()
    assert source_url(source, key=SourceKeys.of(keys).connector) == url
    set_source_url(source, url, key=key_context(app).connector_key())
    assert source.url_enc[:1] == crypto.VERSION
    assert source_url(source, key=keys.connector) == url
    with pytest.raises(DecryptionFailed):
        source_url(source, key=master)


def test_an_old_suppression_entry_still_suppresses(app, db_session, make_org, now):
    org = make_org()
    master = key_context(app).keyring.master
    old_hash = identifier_hash(old_identifier_hash_key(master), "email", "eva@example.nl")
    db_session.add(
        SuppressionEntry(
            organisation_id=org.id, identifier_hash=old_hash, reason="objection", created_at=now
        )
    )
    db_session.flush()
    mailing = io.BytesIO(b"naam;email\r\nEva;Eva@Example.nl\r\nJan;jan@example.nl\r\n")
    result = filter_mailing(context_for(app, db_session), org, mailing, "mailing.csv")
    assert (result.kept, result.removed) == (1, 1)
    assert b"jan@example.nl" in result.csv_bytes and b"Eva" not in result.csv_bytes


def test_a_download_code_issued_before_the_keyring_still_works(
    app, db_session, make_request, make_user
):
    ctx = context_for(app, db_session)
    officers = make_user(Role.OFFICER), make_user(Role.OFFICER)
    req = make_request(requester=Requester(name="Eva de Boer", email="eva@example.nl"))
    now = ctx.now()
    req.email_verified_at = now
    with app.app_context():
        pkg = build_request_package(
            ctx.acting_as(Actor.user(officers[0].id)),
            req,
            request_export_package(req, now=now, operator_name="Mailhuis"),
        )
    packages.release_package(db_session, pkg, actor=Actor.user(officers[1].id), now=now)
    db_session.add(
        DownloadCode(
            package_id=pkg.id,
            salt="ab" * 16,
            code_hash=old_code_hash(ctx.keyring.master, "ab" * 16, pkg.id, "123456"),
            created_at=now,
            expires_at=now + timedelta(minutes=10),
            failed_attempts=0,
        )
    )
    db_session.flush()
    secret = ctx.download_code_key()
    assert not packages.redeem_download_code(db_session, pkg, "654321", secret=secret, now=now)
    assert packages.redeem_download_code(db_session, pkg, "123456", secret=secret, now=now)
    fresh = packages.issue_download_code(db_session, pkg, secret=secret, now=now)
    mail = db_session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    code = mail.context["code"]
    assert fresh.code_hash != old_code_hash(ctx.keyring.master, fresh.salt, pkg.id, code)
    assert packages.redeem_download_code(db_session, pkg, code, secret=secret, now=now)
