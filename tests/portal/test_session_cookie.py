"""The session cookie's serializer is built once per secret key (issue 17), and still follows
a key change: a cookie signed with the old key is refused unless that key is a fallback."""

from __future__ import annotations

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from portal.security import CachedSessionInterface


def _app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "first-key"
    app.session_interface = CachedSessionInterface()

    @app.get("/set")
    def set_value() -> str:
        session["who"] = "eva"
        return "ok"

    @app.get("/get")
    def get_value() -> str:
        return str(session.get("who", "nobody"))

    return app


def test_the_cookie_is_flasks_own_and_its_serializer_is_reused() -> None:
    app = _app()
    interface = app.session_interface
    assert isinstance(interface, CachedSessionInterface)
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    client = app.test_client()
    client.get("/set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    plain = SecureCookieSessionInterface().get_signing_serializer(app)
    assert plain is not None and plain.loads(cookie.value) == {"who": "eva"}
    assert client.get("/get").text == "eva"


def test_a_new_key_refuses_the_old_cookie_unless_it_is_a_fallback() -> None:
    app = _app()
    client = app.test_client()
    client.get("/set")
    app.secret_key = "second-key"
    assert client.get("/get").text == "nobody"
    app.config["SECRET_KEY_FALLBACKS"] = ["first-key"]
    assert client.get("/get").text == "eva"


def test_the_portal_uses_it(app: Flask) -> None:
    assert isinstance(app.session_interface, CachedSessionInterface)
