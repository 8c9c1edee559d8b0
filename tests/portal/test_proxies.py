"""PORTAL_TRUSTED_PROXIES: behind a proxy the client's own address counts (per-IP limits,
audit, https); without the setting a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from portal import create_app
from portal.db import get_db
from portal.security import limiter
from tests.helpers import csrf_token


def _app(app_config, session_factory, **extra) -> Flask:
    application = create_app({**app_config, "RATELIMIT_ENABLED": True, **extra})
    get_db(application).sessionmaker = session_factory
    limiter.reset()
    return application


def _login_attempts(app: Flask, forwarded_for: str, count: int) -> list[int]:
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client.get("/auth/login", headers=headers))
    return [
        client.post(
            "/auth/login",
            data={"email": "someone@example.org", "csrf_token": token},
            headers=headers,
        ).status_code
        for _ in range(count)
    ]


def test_with_one_trusted_proxy_each_client_has_its_own_limit(app_config, session_factory):
    app = _app(app_config, session_factory, TRUSTED_PROXIES=1)
    assert _login_attempts(app, "203.0.113.7", 21)[-1] == 429
    # Another client behind the same proxy is not blocked by the first one's attempts.
    assert _login_attempts(app, "198.51.100.2", 1) == [200]


def test_without_the_setting_forwarded_headers_are_ignored(app_config, session_factory):
    app = _app(app_config, session_factory)
    assert _login_attempts(app, "203.0.113.7", 20)[-1] == 200
    # A forged header does not buy a fresh limit: the connection's address counts.
    assert _login_attempts(app, "198.51.100.2", 1) == [429]


@pytest.mark.parametrize(("proxies", "scheme"), [(0, "http"), (1, "https")])
def test_forwarded_proto_sets_the_scheme_only_behind_a_trusted_proxy(
    app_config, session_factory, proxies, scheme
):
    app = _app(app_config, session_factory, TRUSTED_PROXIES=proxies)
    seen: list[str] = []

    @app.get("/_scheme")
    def _scheme() -> str:
        from flask import request

        seen.append(request.scheme)
        return "ok"

    app.test_client().get("/_scheme", headers={"X-Forwarded-Proto": "https"})
    assert seen == [scheme]
