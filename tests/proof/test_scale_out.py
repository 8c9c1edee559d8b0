"""Scale-out on existing engines (issue 16): two gunicorn instances and two workers share
one PostgreSQL database (a fresh one of its own), one Redis (rate limits) and one S3
endpoint (moto). People file requests with a mandate on one instance and confirm them on
the other; every request, document and mail is there exactly once."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rights.engine import normalise_url
from tests.proof.conftest import CREDENTIALS, S3Endpoint
from tests.proof.dbcheck import outbox, scalar, wait_for_outbox
from tests.proof.live import CSRF, Visitor, cli, gunicorn, portal_env, start, wait_http
from tests.smtp import free_port, smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BASE = os.environ.get("TEST_DATABASE_URL", "")
REDIS = "redis://127.0.0.1:6379/11"
VERIFY = re.compile(r"https?://[^/\s]+(/verify/[A-Za-z0-9_.\-]+)")
MANDATE = b"%PDF-1.7 signed mandate"
PEOPLE = 24


@pytest.fixture
def database() -> Iterator[str]:
    if not BASE.startswith(("postgres", "postgresql")):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    name = f"dsr_scale_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(BASE), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(normalise_url(BASE)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return REDIS


def _file(base: str, n: int) -> tuple[Visitor, str]:
    visitor = Visitor(base)
    url, data = visitor.form(["access"])
    data.update(acting="other", subject_name=f"Mila {n}", relationship="mandate")
    answer = visitor.call(url, data, files={"mandate": ("volmacht.pdf", MANDATE)})
    assert answer.status == 302, answer.body[:500]
    return visitor, data["email"]


def test_two_instances_and_two_workers_share_database_limits_files_and_mail(
    tmp_path: Path, database: str, redis_url: str, s3: S3Endpoint
) -> None:
    bucket = s3.bucket()
    ports = [free_port(), free_port()]
    with smtp_server() as inbox:
        shared = dict(
            PORTAL_DATABASE_URL=database,
            PORTAL_RATELIMIT_STORAGE_URI=redis_url,
            PORTAL_RATELIMIT_PUBLIC_EMAIL="3 per hour",
            PORTAL_STORAGE_URL=f"s3://{bucket}/desk",
            PORTAL_S3_ENDPOINT_URL=s3.url,
            PORTAL_MAIL_MODE="smtp",
            PORTAL_SMTP_HOST="127.0.0.1",
            PORTAL_SMTP_PORT=str(inbox.port),
            **CREDENTIALS,
        )
        envs = [portal_env(tmp_path / f"i{i}", ports[0], **shared) for i in (0, 1)]
        for env in envs:  # both instances share the secrets of the first
            env["PORTAL_INSTANCE_PATH"] = str(tmp_path / "i0")
        for args in (("db", "upgrade"), ("demo", "load")):
            subprocess.run(cli(*args), env=envs[0], check=True, capture_output=True, timeout=180)
        procs = [
            start(gunicorn(port, workers=1, threads=4), envs[i], tmp_path / f"web{i}.log")
            for i, port in enumerate(ports)
        ]
        procs += [start(cli("worker", "run"), envs[i], tmp_path / f"w{i}.log") for i in (0, 1)]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for base, proc in zip(bases, procs, strict=False):
                wait_http(base + "/", proc)
            before = outbox(database)
            with ThreadPoolExecutor(8) as pool:
                filed = list(pool.map(lambda n: _file(bases[n % 2], n), range(PEOPLE)))
            extra = _one_limit_for_both(bases, filed[0][1])
            _confirm_on_the_other_instance(inbox, bases, database)
            after = wait_for_outbox(database, timeout=90)
            delivered = Counter(str(r.message["Message-ID"]) for r in inbox.messages)
        finally:
            for proc in procs:
                proc.stop()
    new_requests = after.requests - before.requests
    documents = scalar(database, "SELECT count(*) FROM case_document")
    keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
    print(f"\nscale-out: {new_requests} requests, {documents} documents, {len(delivered)} mails")
    assert new_requests == PEOPLE + extra
    assert documents == PEOPLE and len(keys) == PEOPLE
    assert all(k.startswith("desk/documents/") for k in keys)
    assert all(MANDATE not in _object(s3, bucket, k) for k in keys)  # ciphertext only
    assert after.pending == 0 and set(delivered) == after.sent_ids
    assert max(delivered.values()) == 1
    confirmed = scalar(
        database, "SELECT count(*) FROM rights_request WHERE email_verified_at IS NOT NULL"
    )
    assert confirmed >= PEOPLE


def _object(s3: S3Endpoint, bucket: str, key: str) -> bytes:
    body: bytes = s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def _one_limit_for_both(bases: list[str], email: str) -> int:
    """The per-address limit (3 an hour) counts on both instances: Redis holds it."""
    statuses = []
    for n in range(4):
        visitor = Visitor(bases[n % 2])
        url, data = visitor.form(["access"])
        data["email"] = email
        statuses.append(visitor.call(url, data).status)
    assert statuses == [302, 302, 429, 429], statuses  # 1 filed before + 2 here = 3
    return 2


def _confirm_on_the_other_instance(inbox, bases: list[str], database: str) -> None:  # type: ignore[no-untyped-def]
    """Each person opens the link from their mail, alternately on either instance."""
    deadline_mails = wait_for_outbox(database, timeout=90)
    assert deadline_mails.pending == 0
    links = []
    for received in list(inbox.messages):
        body = received.message.get_body(("plain",)).get_content()
        match = VERIFY.search(body)
        if match:
            links.append(match.group(1))
    assert len(links) >= PEOPLE
    for n, link in enumerate(links):
        visitor = Visitor(bases[(n + 1) % 2])
        page = visitor.call(link)
        assert page.status == 200, page.status
        token = CSRF.search(page.body)
        assert token
        assert visitor.call(link, {"csrf_token": token.group(1)}).status == 302
