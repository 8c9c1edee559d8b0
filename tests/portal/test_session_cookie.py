"""The session cookie's serializer is built once per secret key (issue 17), and still follows
a key change: a cookie signed with the old key is refused unless that key is a fallback. A
cookie whose signature was checked is not checked again, and still expires."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from portal import security
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


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cookies whose signature is checked (not answered from the cache)."""
    checked: list[str] = []
    real = security._unsign

    def unsign(serializer: Any, value: str, max_age: int) -> tuple[bytes, int]:
        checked.append(value)
        return real(serializer, value, max_age)

    monkeypatch.setattr(security, "_unsign", unsign)
    return checked


def test_a_checked_cookie_is_not_checked_again_and_each_request_gets_its_own_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = _counting(monkeypatch)
    app = _app()

    @app.get("/append")
    def append() -> str:  # mutates a value read from the cookie, in place
        items = session.setdefault("items", [])
        before = len(items)
        items.append("x")
        return str(before)

    client = app.test_client()
    client.get("/set")
    assert [client.get("/get").text for _ in range(3)] == ["eva"] * 3
    assert len(checked) == 1  # one check for one cookie value
    client.get("/append")  # a new cookie: setdefault changed the session
    # An in-place change leaves the cookie as it was (Flask's rule): the next request with
    # that cookie reads it as sent, not the list an earlier request changed.
    assert client.get("/append").text == "1"
    assert client.get("/append").text == "1"


def test_a_cached_cookie_still_expires_and_a_tampered_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app()
    app.permanent_session_lifetime = timedelta(seconds=100)
    client = app.test_client()
    client.get("/set")
    assert client.get("/get").text == "eva"  # checked and cached
    cookie = client.get_cookie("session")
    assert cookie is not None
    later = time.time() + 101
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert client.get("/get").text == "nobody"  # older than the lifetime: a new session
    monkeypatch.undo()
    payload, _, signature = cookie.value.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", forged)
    assert client.get("/get").text == "nobody"
    client.set_cookie("session", cookie.value)
    assert client.get("/get").text == "eva"


def test_a_new_key_forgets_the_checked_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = _counting(monkeypatch)
    app = _app()
    client = app.test_client()
    client.get("/set")
    assert client.get("/get").text == "eva"
    app.secret_key = "second-key"
    assert client.get("/get").text == "nobody"  # not answered from the cache
    assert len(checked) == 2


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "VERIFIED_COOKIES", 3)
    app = _app()

    @app.get("/set/<who>")
    def set_who(who: str) -> str:
        session["who"] = who
        return "ok"

    for who in ("a", "b", "c", "d", "e"):  # five different cookies
        client = app.test_client()
        client.get(f"/set/{who}")
        assert client.get("/get").text == who
    interface = app.session_interface
    assert isinstance(interface, CachedSessionInterface)
    assert len(interface._verified) == 3
