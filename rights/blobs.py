"""Where encrypted files live: one small interface, two backends (docs/security.md,
"File store").

The stores of documents and packages encrypt before they write and authenticate after
they read; a backend only keeps opaque ciphertext under a key such as ``ab/abcdef...``.
``LocalBlobs`` is a directory (the default); ``S3Blobs`` is an S3-compatible bucket
under a prefix (``PORTAL_STORAGE_URL=s3://bucket/prefix``), through ``boto3`` (the ``[s3]``
extra).
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

BLOB_KEY = re.compile(r"[A-Za-z0-9_-]{2}/[A-Za-z0-9_-]{16,64}")
_KEY = BLOB_KEY
SPOOL_BYTES = 8 * 1024 * 1024  # a package is buffered in memory up to this, then on disk


class BlobMissing(FileNotFoundError):
    """No blob under this key."""


def blob_key(storage_key: str) -> str:
    """The backend key of a random storage key: a two-character fan-out folder."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", storage_key):
        raise ValueError("bad storage key")
    return f"{storage_key[:2]}/{storage_key}"


class Blobs(Protocol):
    """A flat key-value store of ciphertext; every write replaces the whole blob at once."""

    def put(self, key: str, data: bytes) -> None: ...

    def writer(self, key: str) -> Any:
        """A context manager yielding a binary file; the blob appears (whole) on a clean
        exit and not at all on an exception."""

    def get(self, key: str) -> bytes: ...

    def reader(self, key: str) -> Any:
        """A context manager yielding a readable binary file (``BlobMissing`` if absent)."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError("bad blob key")
    return key


@dataclass(frozen=True)
class LocalBlobs:
    """A directory: ``root/ab/abcdef...``, written to a temporary file, synced, renamed."""

    root: Path

    def path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes) -> None:
        with self.writer(key) as out:
            out.write(data)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        try:
            with tmp.open("wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None

    @contextmanager
    def reader(self, key: str) -> Iterator[BinaryIO]:
        try:
            src = self.path(key).open("rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        with src:
            yield src

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*")):
            key = f"{path.parent.name}/{path.name}"
            if path.is_file() and _KEY.fullmatch(key):
                yield key


@dataclass(frozen=True)
class S3Blobs:
    """An S3-compatible bucket: ``s3://bucket/prefix/<area>/ab/abcdef...``. Credentials come
    from the usual AWS environment variables or files; ``endpoint_url`` points elsewhere
    than AWS (MinIO, Ceph, a cloud provider's S3 endpoint)."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    client: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.client is None:
            object.__setattr__(self, "client", s3_client(self.endpoint_url, self.region))

    def _name(self, key: str) -> str:
        return f"{self.prefix}{_checked(key)}"

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        # The ciphertext is spooled and uploaded whole: an object appears complete or not
        # at all, as a rename does on a directory.
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            yield spool  # type: ignore[misc]
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self._name(key))

    def get(self, key: str) -> bytes:
        with self.reader(key) as body:
            data: bytes = body.read()
            return data

    @contextmanager
    def reader(self, key: str) -> Iterator[BinaryIO]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise BlobMissing(key) from None
        body = answer["Body"]
        try:
            yield body
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                key = str(item["Key"])[len(self.prefix) :]
                if _KEY.fullmatch(key):
                    yield key

    def area(self, name: str) -> S3Blobs:
        """The same bucket one folder deeper (``documents/``, ``packages/``)."""
        prefix = f"{self.prefix}{name}/"
        return S3Blobs(self.bucket, prefix, self.endpoint_url, self.region, self.client)


@functools.lru_cache(maxsize=8)
def s3_client(endpoint_url: str | None, region: str | None) -> Any:
    """One client per endpoint (boto3 clients are thread-safe and slow to make); region and
    credentials otherwise from boto3's usual chain (``AWS_*`` variables, files)."""
    # boto3 is the optional [s3] extra: imported only when an S3 store is configured.
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)


def from_url(url: str, area: str, *, endpoint_url: str | None = None) -> Blobs:
    """The backend a storage URL names: ``s3://bucket/prefix`` or ``file:///folder`` (or a
    plain path); ``area`` is the sub-folder of this kind of file."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("an s3:// storage URL needs a bucket")
        prefix = parts.path.strip("/")
        root = S3Blobs(parts.netloc, f"{prefix}/" if prefix else "", endpoint_url)
        return root.area(area)
    if parts.scheme in ("", "file"):
        return LocalBlobs(Path(parts.path if parts.scheme else url) / area)
    raise ValueError("the storage URL must start with s3:// or file://")
