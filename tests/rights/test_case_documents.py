"""Uploaded documents and the message thread (shared by the status page and the workspace)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from rights import crypto
from rights.audit import SYSTEM, Actor, verify_chain
from rights.documents import (
    DocumentStore,
    delete_id_documents,
    safe_filename,
    sniff_content_type,
    store_document,
)
from rights.errors import Gone, ValidationFailed
from rights.messages import open_document_request, post_message, thread
from rights.models import AuditEvent, DocumentKind, OutboxMail, Party, Role

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + b"secret BSN 123456782 " * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(root=tmp_path / "docs", key=crypto.parse_key(crypto.generate_key()))


def test_magic_bytes_decide_the_type():
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_content_type(b"<html><script>") is None
    assert sniff_content_type(b"MZ\x90\x00") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("paspoort.pdf", "paspoort.pdf"),
        ("\x00\r\nx.pdf", "x.pdf"),
        ("..", "document"),
        ("", "document"),
    ],
)
def test_file_names_never_carry_paths(name, expected):
    assert safe_filename(name) == expected


def test_document_is_stored_encrypted_and_read_back(db_session, make_request, store):
    req = make_request()
    doc = store_document(
        db_session,
        store,
        req,
        PDF,
        filename="../id.pdf",
        kind=DocumentKind.ID_DOCUMENT,
        uploaded_by=Party.SUBJECT,
        actor=Actor.subject(),
        now=NOW,
    )
    on_disk = store.path(doc.storage_key).read_bytes()
    assert b"123456782" not in on_disk and b"%PDF" not in on_disk
    assert store.read(doc) == PDF
    assert doc.filename == "id.pdf" and doc.content_type == "application/pdf"
    assert doc.storage_key not in str(doc.filename)


def test_flipped_byte_or_moved_file_does_not_decrypt(db_session, make_request, store):
    req = make_request()
    kwargs = {
        "kind": DocumentKind.EVIDENCE,
        "uploaded_by": Party.SUBJECT,
        "actor": SYSTEM,
        "now": NOW,
    }
    a = store_document(db_session, store, req, PDF, filename="a.pdf", **kwargs)
    b = store_document(db_session, store, req, PNG, filename="b.png", **kwargs)
    # b's ciphertext under a's name: the associated data (document id) no longer matches
    store.path(a.storage_key).write_bytes(store.path(b.storage_key).read_bytes())
    with pytest.raises(crypto.DecryptionFailed):
        store.read(a)
    blob = bytearray(store.path(b.storage_key).read_bytes())
    blob[-5] ^= 1
    store.path(b.storage_key).write_bytes(bytes(blob))
    with pytest.raises(crypto.DecryptionFailed):
        store.read(b)


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "file_empty"), (b"GIF89a....", "file_type"), (b"%PDF-" + b"x" * 2000, "file_too_large")],
)
def test_bad_uploads_write_nothing(db_session, make_request, tmp_path, data, code):
    store = DocumentStore(
        root=tmp_path / "d", key=crypto.parse_key(crypto.generate_key()), max_bytes=1000
    )
    req = make_request()
    with pytest.raises(ValidationFailed) as err:
        store_document(
            db_session,
            store,
            req,
            data,
            filename="x.pdf",
            kind=DocumentKind.EVIDENCE,
            uploaded_by=Party.SUBJECT,
            actor=SYSTEM,
            now=NOW,
        )
    assert err.value.code == code
    assert not (tmp_path / "d").exists()


def test_id_documents_are_deleted_once_checked(db_session, make_request, store):
    req = make_request()
    kwargs = {"uploaded_by": Party.SUBJECT, "actor": SYSTEM, "now": NOW}
    idd = store_document(
        db_session, store, req, PDF, filename="id.pdf", kind=DocumentKind.ID_DOCUMENT, **kwargs
    )
    mandate = store_document(
        db_session, store, req, PNG, filename="m.png", kind=DocumentKind.MANDATE, **kwargs
    )
    attachment = store_document(
        db_session, store, req, PNG, filename="a.png", kind=DocumentKind.ATTACHMENT, **kwargs
    )
    # docs/legal.md: the mandate is identity material too; the check records that it was seen.
    assert delete_id_documents(db_session, store, req, actor=Actor.user(1), now=NOW) == 2
    assert not store.path(idd.storage_key).exists()
    assert idd.deleted_reason == "identity_checked" and idd.sha256
    with pytest.raises(Gone):
        store.read(idd)
    with pytest.raises(Gone):
        store.read(mandate)
    assert store.read(attachment) == PNG
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.request_id == req.id))
    assert "document.deleted" in list(actions)
    assert verify_chain(db_session).ok


def test_officer_message_is_announced_without_its_content(db_session, make_request, make_user):
    req = make_request()
    officer = make_user(Role.OFFICER)
    msg = post_message(
        db_session,
        req,
        "Please send a copy of your ID with the BSN masked.",
        sender=Party.OFFICER,
        actor=Actor.user(officer.id),
        now=NOW,
        asks_document=True,
    )
    mail = db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.request_id == req.id, OutboxMail.template == "message_waiting"
        )
    ).one()
    assert "BSN" not in str(mail.context)
    assert open_document_request(db_session, req) is msg
    post_message(
        db_session,
        req,
        "Here it is",
        sender=Party.SUBJECT,
        actor=Actor.subject(),
        now=NOW,
        reply_to=msg,
    )
    assert open_document_request(db_session, req) is None
    assert [m.sender for m in thread(db_session, req)] == [Party.OFFICER, Party.SUBJECT]


@pytest.mark.parametrize("body", ["", "   ", "\x00", "x" * 10_001])
def test_empty_or_huge_messages_are_refused(db_session, make_request, body):
    req = make_request()
    with pytest.raises(ValidationFailed):
        post_message(db_session, req, body, sender=Party.SUBJECT, actor=Actor.subject(), now=NOW)


def test_only_officers_ask_for_documents(db_session, make_request):
    req = make_request()
    with pytest.raises(ValidationFailed):
        post_message(
            db_session,
            req,
            "hi",
            sender=Party.SUBJECT,
            actor=Actor.subject(),
            now=NOW,
            asks_document=True,
        )
