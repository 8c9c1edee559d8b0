"""The file store behind one interface (issue 16): the local folder and an S3 bucket
(moto's server mode on 127.0.0.1) behave alike, and the bucket only ever holds
ciphertext."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest

from operations.context import Context, Settings
from portal.config import problems
from rights import crypto
from rights.blobs import BlobMissing, Blobs, LocalBlobs, S3Blobs, blob_key, from_url
from rights.documents import DocumentStore
from rights.keys import Keyring
from rights.models.case import Document, DocumentKind, Party
from rights.models.package import Package, PackageKind
from rights.packages.store import PackageStore
from tests.proof.conftest import S3Endpoint

KEY = crypto.parse_key(crypto.generate_key())
SECRET = b"%PDF-1.7 Jan Jansen, BSN 123456782, paspoort"


@pytest.fixture(params=["local", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Blobs:
    if request.param == "local":
        return LocalBlobs(tmp_path / "files")
    endpoint: S3Endpoint = request.getfixturevalue("s3")
    return from_url(f"s3://{endpoint.bucket()}/portal", "documents", endpoint_url=endpoint.url)


def test_both_backends_keep_replace_list_and_delete_blobs(blobs: Blobs) -> None:
    key = blob_key(secrets.token_urlsafe(24))
    assert not blobs.exists(key)
    with pytest.raises(BlobMissing):
        blobs.get(key)
    blobs.put(key, b"one")
    blobs.put(key, b"two")
    assert blobs.get(key) == b"two" and blobs.exists(key)
    with blobs.reader(key) as src:
        assert src.read() == b"two"
    assert list(blobs.keys()) == [key]
    blobs.delete(key)
    assert not blobs.exists(key) and list(blobs.keys()) == []


def test_a_write_that_fails_half_way_leaves_no_blob(blobs: Blobs) -> None:
    key = blob_key(secrets.token_urlsafe(24))

    def broken_export() -> None:
        with blobs.writer(key) as out:
            out.write(b"half of a package")
            raise RuntimeError("the export broke off")

    with pytest.raises(RuntimeError, match="broke off"):
        broken_export()
    assert not blobs.exists(key) and list(blobs.keys()) == []


def test_a_bad_key_is_refused_before_the_backend_is_asked(blobs: Blobs) -> None:
    for bad in ("../../etc/passwd", "ab/short", "x" * 20):
        with pytest.raises(ValueError, match="bad blob key"):
            blobs.put(bad, b"x")


def _document() -> Document:
    return Document(
        id=7,
        request_id=3,
        kind=DocumentKind.ID_DOCUMENT,
        uploaded_by=Party.SUBJECT,
        storage_key=secrets.token_urlsafe(24),
        filename="id.pdf",
        content_type="application/pdf",
        size=len(SECRET),
        sha256="0" * 64,
        created_at=datetime.now(UTC),
    )


def test_documents_in_s3_are_ciphertext_and_read_back(s3: S3Endpoint) -> None:
    bucket = s3.bucket()
    store = DocumentStore(
        root=Path("unused"),
        key=KEY,
        blobs=from_url(f"s3://{bucket}/desk", "documents", endpoint_url=s3.url),
    )
    doc = _document()
    store.write(doc, SECRET)
    name = f"desk/documents/{blob_key(doc.storage_key)}"
    stored = s3.client().get_object(Bucket=bucket, Key=name)["Body"].read()
    assert b"Jansen" not in stored and b"123456782" not in stored
    assert store.read(doc) == SECRET
    other = _document()
    other.storage_key = doc.storage_key
    other.id = 8  # the same blob under another document's id does not decrypt
    with pytest.raises(crypto.DecryptionFailed):
        store.read(other)
    store.remove(doc)
    assert "Contents" not in s3.client().list_objects_v2(Bucket=bucket)


def test_packages_stream_into_s3_and_a_changed_byte_is_refused(s3: S3Endpoint) -> None:
    bucket = s3.bucket()
    blobs = from_url(f"s3://{bucket}", "packages", endpoint_url=s3.url)
    store = PackageStore(root=Path("unused"), key=KEY, chunk_size=1024, blobs=blobs)
    package = Package(id=5, kind=PackageKind.REQUEST, request_id=3)
    package.storage_key = secrets.token_urlsafe(24)
    payload = secrets.token_bytes(10_000)
    package.sha256, package.size = store.write(package, lambda out: out.write(payload))
    assert b"".join(store.open_verified(package)) == payload
    name = f"packages/{blob_key(package.storage_key)}"
    blob = bytearray(s3.client().get_object(Bucket=bucket, Key=name)["Body"].read())
    assert payload not in blob
    blob[-10] ^= 1
    s3.client().put_object(Bucket=bucket, Key=name, Body=bytes(blob))
    with pytest.raises(crypto.DecryptionFailed):
        store.verify(package)
    store.remove(package)
    with pytest.raises(crypto.DecryptionFailed, match="missing"):
        store.verify(package)


def test_the_context_builds_both_stores_from_the_storage_url(tmp_path: Path, s3) -> None:
    extra = {"STORAGE_URL": "s3://desk-files/prod", "S3_ENDPOINT_URL": s3.url}
    ctx = Context(
        session=None,  # type: ignore[arg-type]
        keyring=Keyring.from_text(crypto.generate_key()),
        settings=Settings(instance_path=tmp_path, extra=extra),
    )
    documents, packages = ctx.document_store().backend, ctx.package_store().backend
    assert isinstance(documents, S3Blobs) and isinstance(packages, S3Blobs)
    assert (documents.bucket, documents.prefix) == ("desk-files", "prod/documents/")
    assert packages.prefix == "prod/packages/" and packages.endpoint_url == s3.url
    local = Context(session=None, keyring=ctx.keyring, settings=Settings(instance_path=tmp_path))  # type: ignore[arg-type]
    assert local.document_store().backend == LocalBlobs(tmp_path / "documents")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://files/x", "must start with s3:// or file://"),
        ("s3:///prefix", "must name a bucket"),
    ],
)
def test_a_bad_storage_url_is_a_configuration_problem(url: str, problem: str) -> None:
    found = problems({"STORAGE_URL": url})
    assert any(problem in p for p in found), found
    assert not any("STORAGE_URL" in p for p in problems({"STORAGE_URL": "s3://bucket/x"}))


def test_an_empty_upload_stream_is_still_one_whole_object(s3: S3Endpoint) -> None:
    blobs = from_url(f"s3://{s3.bucket()}/p", "documents", endpoint_url=s3.url)
    key = blob_key(secrets.token_urlsafe(24))
    with blobs.writer(key) as out:
        out.write(io.BytesIO(b"").read())
    assert blobs.get(key) == b""
