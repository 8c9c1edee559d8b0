"""Backup and restore with the file store in S3 (issue 16): `dsr-portal backup create`
copies every object through the store into the backup with its SHA-256 in the manifest,
`backup restore` writes them back through the configured store and reads each one back.
moto's server mode on 127.0.0.1 stands in for S3 (tests/proof/conftest.py)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from operations.backup import BackupInvalid, Storage, create_backup, restore_backup
from portal import create_app
from rights.blobs import Blobs, LocalBlobs, blob_key, from_url
from tests.conftest import migrate
from tests.portal.test_backup import _APPS, _dispose_engines, _events, _run, new_database
from tests.proof.conftest import S3Endpoint

__all__ = ["_dispose_engines", "new_database"]  # fixtures shared with test_backup

NOW_KEYS = [blob_key(secrets.token_urlsafe(24)) for _ in range(3)]


def _s3_app(url: str, instance: Path, s3: S3Endpoint, bucket: str) -> Flask:
    app = create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "STORAGE_URL": f"s3://{bucket}/desk",
            "S3_ENDPOINT_URL": s3.url,
        }
    )
    _APPS.append(app)
    return app


def _objects(s3: S3Endpoint, bucket: str) -> dict[str, bytes]:
    client = s3.client()
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


@pytest.fixture
def live(new_database: Callable[[], str], tmp_path: Path, s3: S3Endpoint) -> Flask:
    url = new_database()
    migrate(url)
    bucket = s3.bucket()
    app = _s3_app(url, tmp_path / "live", s3, bucket)
    app.config["TEST_BUCKET"] = bucket
    _events(app, 4)
    documents = from_url(f"s3://{bucket}/desk", "documents", endpoint_url=s3.url)
    packages = from_url(f"s3://{bucket}/desk", "packages", endpoint_url=s3.url)
    documents.put(NOW_KEYS[0], b"\x02document ciphertext")
    documents.put(NOW_KEYS[1], secrets.token_bytes(3 * 1024 * 1024))  # several reads
    packages.put(NOW_KEYS[2], b"\x03package ciphertext")
    return app


def test_objects_are_backed_up_with_checksums_and_restored_into_an_empty_bucket(
    live: Flask, new_database: Callable[[], str], tmp_path: Path, s3: S3Endpoint
) -> None:
    before = _objects(s3, live.config["TEST_BUCKET"])
    assert len(before) == 3
    code, out = _run(live, "backup", "create", str(tmp_path / "bk"))
    assert code == 0, out
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    for name, data in before.items():
        area, key = name.removeprefix("desk/").split("/", 1)
        entry = manifest["files"][f"files/{area}/{key}"]
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert manifest["folders"] == ["documents", "packages"]
    assert not (Path(live.instance_path) / "documents").exists()  # nothing went to a folder

    bucket = s3.bucket()
    target = _s3_app(new_database(), tmp_path / "restored", s3, bucket)
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 0, out
    assert "Het auditlogboek is intact: 4 gebeurtenissen" in out
    assert _objects(s3, bucket) == before


def test_restore_refuses_a_bucket_that_is_not_empty_unless_forced(
    live: Flask, new_database: Callable[[], str], tmp_path: Path, s3: S3Endpoint
) -> None:
    assert _run(live, "backup", "create", str(tmp_path / "bk"))[0] == 0
    bucket = s3.bucket()
    stray = blob_key(secrets.token_urlsafe(24))
    from_url(f"s3://{bucket}/desk", "documents", endpoint_url=s3.url).put(stray, b"other")
    target = _s3_app(new_database(), tmp_path / "restored", s3, bucket)
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 1 and "documents store is not empty" in out
    assert list(_objects(s3, bucket)) == [f"desk/documents/{stray}"]  # nothing restored
    code, out = _run(target, "backup", "restore", "--force", str(tmp_path / "bk"))
    assert code == 0, out
    assert _objects(s3, bucket) == _objects(s3, live.config["TEST_BUCKET"])


def test_a_changed_object_in_the_backup_is_refused_before_anything_is_written(
    live: Flask, new_database: Callable[[], str], tmp_path: Path, s3: S3Endpoint
) -> None:
    assert _run(live, "backup", "create", str(tmp_path / "bk"))[0] == 0
    changed = tmp_path / "bk" / "files" / "documents" / NOW_KEYS[0]
    changed.write_bytes(b"\x02document ciphertexT")
    bucket = s3.bucket()
    target = _s3_app(new_database(), tmp_path / "restored", s3, bucket)
    code, out = _run(target, "backup", "restore", str(tmp_path / "bk"))
    assert code == 1 and "checksum does not match" in out
    assert _objects(s3, bucket) == {}


@dataclass(frozen=True)
class DroppingBlobs:
    """A store that loses the last byte of every object it is given (a broken upload)."""

    inner: LocalBlobs

    @contextmanager
    def writer(self, key: str) -> Iterator[Any]:
        with self.inner.writer(key) as out:
            yield _Truncating(out)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Truncating:
    def __init__(self, out: Any) -> None:
        self.out, self.held = out, b""

    def write(self, data: bytes) -> int:
        self.out.write(self.held + data[:-1])
        self.held = b""
        return len(data)


def test_restore_reads_every_object_back_and_refuses_other_bytes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    migrate(url)
    source = LocalBlobs(tmp_path / "src")
    source.put(NOW_KEYS[0], b"\x02ciphertext")
    storage = Storage(url, folders={"documents": tmp_path / "unused"}, stores={"documents": source})
    create_backup(storage, tmp_path / "bk", now=datetime(2026, 12, 2, tzinfo=UTC))
    broken: Blobs = DroppingBlobs(LocalBlobs(tmp_path / "dst"))  # type: ignore[assignment]
    target = Storage(
        f"sqlite:///{tmp_path / 'restored.sqlite'}",
        folders={"documents": tmp_path / "unused2"},
        stores={"documents": broken},
    )
    with pytest.raises(BackupInvalid, match="returned other bytes"):
        restore_backup(tmp_path / "bk", target)
    good = Storage(target.database_url, stores={"documents": LocalBlobs(tmp_path / "ok")})
    restore_backup(tmp_path / "bk", good, force=True)
    assert LocalBlobs(tmp_path / "ok").get(NOW_KEYS[0]) == b"\x02ciphertext"
