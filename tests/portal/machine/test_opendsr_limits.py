"""The machine API's limits (docs/api.md, "Limits"): body size, rate per key with
Retry-After, and the input guard, each a JSON refusal under /opendsr/."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask

from portal import create_app
from portal.db import get_db
from tests.portal.machine.conftest import NOW, body, post


@pytest.fixture
def limited_app(app_config, session_factory) -> Flask:
    application = create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "OPENDSR_RATE_LIMIT": "3 per minute"}
    )
    get_db(application).sessionmaker = session_factory
    application.config["CLOCK"] = lambda: NOW
    return application


def test_the_rate_is_counted_per_key_and_refused_with_retry_after(limited_app, controllers):
    a, b = controllers
    client = limited_app.test_client()
    sid = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
    codes = [
        client.get(f"/opendsr/v2/requests/{sid}", headers=a.auth).status_code for _ in range(3)
    ]
    assert codes == [404, 404, 404]
    # v1 and v2 share the key's bucket.
    refused = client.get(f"/opendsr/v1/opengdpr_requests/{sid}", headers=a.auth)
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert refused.get_json()["error"]["code"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    # Another key has its own.
    assert client.get(f"/opendsr/v2/requests/{sid}", headers=b.auth).status_code == 404


def test_a_body_over_the_limit_is_a_json_413(app, client, controllers):
    a, _ = controllers
    app.config["OPENDSR_MAX_BODY_BYTES"] = 2048
    big = body(extensions={"padding": "x" * 4096})
    resp = post(client, a, big)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == 413
    small = post(client, a, body())
    assert small.status_code == 201


def test_a_body_without_a_length_over_the_limit_is_refused_too(app, controllers):
    a, _ = controllers
    app.config["OPENDSR_MAX_BODY_BYTES"] = 1024
    raw = b'{"regulation": "gdpr", "x": "' + b"y" * 4096 + b'"}'
    environ = {"wsgi.input_terminated": True}  # a server that de-chunked it: no length known
    # Chunked: werkzeug's test client would otherwise send the stream's length, and the
    # length check alone answered. Without a length, werkzeug's limited stream stops at the
    # limit without a word, and the cut body was a 400 "not JSON" on a real server.
    chunked = {**a.auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    for size in (1024 - 31 + 1, 4096):  # one byte over the limit, and well over
        raw = b'{"regulation": "gdpr", "x": "' + b"y" * size + b'"}'
        resp = app.test_client().post(
            "/opendsr/v2/requests", input_stream=io.BytesIO(raw), environ_overrides=environ,
            headers=chunked,
        )  # fmt: skip
        assert resp.status_code == 413 and resp.mimetype == "application/json", size
    # Exactly at the limit, without a length: read and answered on its merits.
    raw = b'{"regulation": "gdpr", "x": "' + b"y" * (1024 - 31) + b'"}'
    assert len(raw) == 1024
    resp = app.test_client().post(
        "/opendsr/v2/requests", input_stream=io.BytesIO(raw), environ_overrides=environ,
        headers=chunked,
    )  # fmt: skip
    assert resp.status_code == 400 and "subject_request_id" in resp.get_json()["error"]["message"]


def test_the_input_guard_answers_json_under_opendsr(client, controllers):
    a, _ = controllers
    resp = client.post(
        "/opendsr/v2/requests?x=%FF",
        data=b"{}",
        headers={**a.auth, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    form = client.post(
        "/opendsr/v2/requests", data="&".join(f"f{i}=1" for i in range(400)),
        headers={**a.auth, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert form.status_code == 413 and form.mimetype == "application/json"
    # The machine API speaks English to developers and logs, the same bytes whatever the
    # Accept-Language (the guard had answered with the web pages' Dutch sentence).
    bodies = {
        client.get("/opendsr/v2/discovery?x=%FF", headers={"Accept-Language": lang}).data
        for lang in ("nl", "en")
    }
    assert len(bodies) == 1
    message = json.loads(bodies.pop())["error"]["message"]
    assert message == "The query string or form body is not valid UTF-8.", message


def test_wrong_method_and_unknown_route_are_json(client):
    assert client.put("/opendsr/v2/requests").status_code == 405
    assert client.put("/opendsr/v2/requests").mimetype == "application/json"
    assert client.get("/opendsr/v2/nothing").get_json() == {
        "error": {"code": 404, "message": "Not found."}
    }
