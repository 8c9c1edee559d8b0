"""The app skeleton: configuration, headers, languages, error pages, hosts, CSRF."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError
from rights.crypto import generate_key


def test_production_refuses_to_start_without_real_secrets(monkeypatch, database_url):
    for var in ("PORTAL_SECRET_KEY", "PORTAL_ENCRYPTION_KEY", "PORTAL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    with pytest.raises(ConfigError) as info:
        create_app({"ENV_NAME": "production"})
    message = str(info.value)
    assert "PORTAL_SECRET_KEY" in message and "PORTAL_ENCRYPTION_KEY" in message
    assert "https" in message
    assert "PORTAL_OPENDSR_KEY_FILE" in message


def test_production_starts_with_a_complete_configuration(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("PORTAL_ENCRYPTION_KEY", generate_key())
    monkeypatch.setenv("PORTAL_BASE_URL", "https://privacy.example.nl")
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", "privacy.example.nl")
    from rights.opendsr.signing import ensure_development_pair

    ensure_development_pair(tmp_path / "pair", "privacy.example.nl")  # stands in for a CA's
    monkeypatch.setenv("PORTAL_OPENDSR_KEY_FILE", str(tmp_path / "pair" / "opendsr-key.pem"))
    monkeypatch.setenv("PORTAL_OPENDSR_CERT_FILE", str(tmp_path / "pair" / "opendsr-cert.pem"))
    app = create_app({"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    from portal.db import get_db

    try:
        resp = app.test_client().get("/", base_url="https://privacy.example.nl")
    finally:
        get_db(app).engine.dispose()  # this app has its own pool: close it now, not at GC
    assert resp.status_code == 200
    assert "max-age=" in resp.headers["Strict-Transport-Security"]


def test_security_headers_on_every_page(client):
    resp = client.get("/")
    h = resp.headers
    assert "script-src 'self'" in h["Content-Security-Policy"]
    assert "unsafe-inline" not in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["Cache-Control"] == "no-store"


def test_spoofed_host_is_rejected(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_oversized_body_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    resp = client.post("/auth/login", data={"email": "x" * 5000})
    assert resp.status_code == 413


def test_post_without_csrf_token_is_400(client):
    resp = client.post("/auth/login", data={"email": "a@b.nl", "password": "x"})
    assert resp.status_code == 400
    assert "Ongeldig verzoek" in resp.get_data(as_text=True)


def test_language_switch_changes_the_page_language(client):
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)
    resp = client.get("/lang/en?next=/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Your personal data, your rights" in page
    client.get("/lang/nl")
    assert "Uw persoonsgegevens" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "javascript:alert(1)", "https://evil.example/"]
)
def test_language_switch_never_redirects_off_site(client, target):
    resp = client.get("/lang/en", query_string={"next": target})
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_error_pages_in_both_languages(client, lang):
    client.get(f"/lang/{lang}")
    resp = client.get("/does-not-exist")
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert ("Pagina niet gevonden" if lang == "nl" else "Page not found") in body


@pytest.mark.parametrize("status", [400, 403, 404, 409, 410, 413, 429, 500])
def test_every_error_page_renders(app, status):
    from portal.errors import render_error

    with app.test_request_context("/"):
        html, code = render_error(status)
    assert code == status and str(status) in html


def test_unexpected_error_is_a_friendly_500_without_details(app_config, session_factory):
    from portal.db import get_db

    app = create_app({**app_config, "TEST_HANDLE_500": True})
    get_db(app).sessionmaker = session_factory

    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret personal data jan@example.nl")

    resp = app.test_client().get("/_boom")
    assert resp.status_code == 500
    assert "jan@example.nl" not in resp.get_data(as_text=True)
