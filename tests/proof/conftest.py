"""An S3 endpoint for the file-store tests: moto's server mode in a subprocess on
127.0.0.1 on a free port, with a bucket and throw-away credentials."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.proof.live import BIN, start, wait_http
from tests.smtp import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any
    "AWS_DEFAULT_REGION": "eu-west-1",
}


@dataclass(frozen=True)
class S3Endpoint:
    url: str

    def bucket(self) -> str:
        """A new, empty bucket on the endpoint."""
        name = f"dsr-{secrets.token_hex(6)}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        return name

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="eu-west-1")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Endpoint]:
    pytest.importorskip("boto3")
    if not (BIN / "moto_server").exists():
        pytest.skip("moto[server] is not installed")
    port = free_port()
    log: Path = tmp_path_factory.mktemp("moto") / "moto.log"
    server = start([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], {}, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/moto-api/", server, timeout=60)
        yield S3Endpoint(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch) -> S3Endpoint:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return s3_endpoint
