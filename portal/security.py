"""HTTP hardening: CSRF, security headers, no-store for personal pages, login manager,
rate limiter, trusted hosts (docs/security.md, "CSRF, headers and hosts")."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import partial
from typing import Any, TypeGuard, cast
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter._compat import request_context  # the context Flask-Limiter itself reads
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import AUTH_HEADER_NAME, COOKIE_NAME
from flask_login.signals import user_accessed
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.db import get_session
from portal.ratelimit import storage_uri
from rights.models.org import User


class _LoginManager(LoginManager):  # type: ignore[misc]  # Flask-Login is untyped
    """Strong session protection only where there is something to protect.

    Flask-Login compares a hash of address and user agent with the session's ``_id`` for
    every non-empty session; an anonymous visitor's session (a CSRF token, the last
    request's ids) has no ``_id``, so each of their requests "failed" the check, rewrote the
    session cookie and deleted a remember cookie they never had (docs/security.md, "Session
    protection"). A session with a login, or a request carrying a remember cookie, is
    checked as before."""

    def _load_user(self) -> Any:
        """An anonymous visitor (no login in the session, no remember cookie, nothing a
        loader could read) is anonymous at once, without Flask-Login's full round (issue
        17: about 0.1 ms of every public POST)."""
        config = current_app.config
        if (
            "_user_id" not in session
            and config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) not in request.cookies
            and config.get("AUTH_HEADER_NAME", AUTH_HEADER_NAME) not in request.headers
            and self._request_callback is None
            and not user_accessed.receivers
        ):
            return self._update_request_context_with_user()
        return super()._load_user()

    def _session_protection_failed(self) -> bool:
        name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" not in session and name not in request.cookies:
            return False
        return bool(super()._session_protection_failed())


csrf = CSRFProtect()
login_manager = _LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


_DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def _headers(response: Response) -> Response:
    """Each header unless the view set its own: the names present are read once, not once
    per header."""
    h = response.headers
    present = {key.lower() for key, _value in h}
    extra = [pair for pair in _DEFAULT_HEADERS if pair[0].lower() not in present]
    if current_app.config.get("HSTS") and _HSTS[0].lower() not in present:
        extra.append(_HSTS)
    h.extend(extra)
    if not request.path.startswith("/static/"):
        # Pages may show personal data: never keep them in a cache.
        h["Cache-Control"] = "no-store"
    return response


def _load_user(token: str) -> User | None:
    """The cookie holds ``id:nonce``; a rotated nonce (logout, password change, disable)
    makes every copied cookie anonymous."""
    user_id, _, nonce = token.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


# Registered by a call, not as a decorator: Flask-Login's decorator is untyped.
login_manager.user_loader(_load_user)


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only same-site relative paths: rejects ``//evil``, ``/\\evil``, ``javascript:``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    if app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = list(app.config["TRUSTED_HOSTS"])
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    _route_limits_only(app)
    _limiter_hooks_when_used(app)
    app.after_request(_headers)
    app.session_interface = CachedSessionInterface()


class CachedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, its serializer built once per secret key (and
    fallbacks) instead of on every request, and a cookie whose signature was checked once
    not checked again while it is fresh (issue 17: the check was about two thirds of the
    cookie's 80 us per request). The cookie itself is unchanged.

    The cache keeps, per exact cookie value, the payload its signature covered and the
    time it was signed: each request still decodes the payload into a session of its own
    and still refuses a cookie older than the session lifetime. A cookie that fails the
    check is never kept; a new secret key empties the cache."""

    _key: tuple[object, ...] | None = None
    _serializer: URLSafeTimedSerializer | None = None
    _verified: OrderedDict[str, tuple[bytes, int]]

    def __init__(self) -> None:
        self._verified = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share the interface

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key != self._key:
            self._serializer = super().get_signing_serializer(app)
            self._key = key
            self._verified = OrderedDict()
        return self._serializer

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            payload = self._payload(serializer, value, max_age)
            return self.session_class(serializer.load_payload(payload))
        except BadSignature:
            return self.session_class()

    def _payload(self, serializer: URLSafeTimedSerializer, value: str, max_age: int) -> bytes:
        """The signed payload of ``value`` (``BadSignature`` when it is not one of ours,
        ``SignatureExpired`` when it is older than ``max_age``), as itsdangerous checks it."""
        verified = self._verified
        known = verified.get(value)
        if known is None:
            known = _unsign(serializer, value, max_age)
            with self._lock:
                verified[value] = known
                if len(verified) > VERIFIED_COOKIES:
                    verified.popitem(last=False)
        payload, signed_at = known
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:  # itsdangerous' own test, on the time it signed
            with self._lock:
                verified.pop(value, None)
            raise SignatureExpired("the session cookie has expired")
        return payload


VERIFIED_COOKIES = 4096  # session cookies remembered per worker (a few hundred bytes each)


def _unsign(serializer: URLSafeTimedSerializer, value: str, max_age: int) -> tuple[bytes, int]:
    """Check the signature as ``TimedSerializer.loads`` does, with the key and its
    fallbacks, and keep the signed payload and time instead of decoding them."""
    last: BadSignature | None = None
    for signer in serializer.iter_unsigners():
        try:
            payload, signed_at = signer.unsign(value, max_age=max_age, return_timestamp=True)
        except SignatureExpired:
            raise
        except BadSignature as exc:
            last = exc
            continue
        return payload, int(signed_at.timestamp())
    raise last or BadSignature("no signer")


def _route_limits_only(app: Flask) -> None:
    """The limiter's before-request check applies default, application, meta and blueprint
    limits; ours are routes' decorators (checked when the route runs) and the machine API's
    blueprint limit. Without default, application and meta limits the check runs only for
    a request to a blueprint with a limit of its own: on every other request it found
    nothing to check (about 0.1 ms, issue 17). Any other setting, or a Flask-Limiter that
    keeps these elsewhere, keeps the check as it is (docs/security.md, "Rate limits")."""
    manager, check = limiter.limit_manager, limiter._check_request_limit
    limited: dict[str, Any] | None = getattr(manager, "_blueprint_limits", None)
    hooks = app.before_request_funcs.get(None, [])
    others = (
        manager.default_limits,
        manager.application_limits,
        getattr(limiter, "_meta_limits", 1),
    )
    if limited is None or any(others) or check not in hooks:
        return

    def blueprint_limits_only() -> None:
        if request.blueprint and not limited.keys().isdisjoint(request.blueprint.split(".")):
            check()

    hooks[hooks.index(check)] = blueprint_limits_only


# Where Flask-Limiter keeps a request's limits: made on the request's context the first time
# anything reads the limiter's ``context`` (a decorated route, the API's blueprint limit).
_LIMITER_STATE = "_limiter_request_context"


def _limiter_hooks_when_used(app: Flask) -> None:
    """Flask-Limiter's after-request hook (rate-limit headers, deductions made on the
    response) and its teardown (clearing the request's limits) read the limiter's state of
    the request, and make it when the request had none; most requests have none (the
    public pages count their POST limits themselves: ``portal.public.blueprint.on_post``),
    and for those both find nothing to do (about 60 µs per request, issue 17). So they run
    only when the request has that state. A Flask-Limiter whose hooks or state look
    different keeps its hooks as they are (docs/security.md, "Rate limits")."""
    inject = getattr(Limiter, "_Limiter__inject_headers", None)
    release = getattr(limiter, "_Limiter__release_context", None)
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    hook = next(
        (f for f in after if isinstance(f, partial) and f.func is inject and f.args == (limiter,)),
        None,
    )
    if inject is None or hook is None or release not in teardown:
        return

    def inject_when_used(response: Response) -> Response:
        if hasattr(request_context(), _LIMITER_STATE):
            return cast(Response, hook(response))
        return response

    def release_when_used(exc: BaseException | None = None) -> None:
        if hasattr(request_context(), _LIMITER_STATE):
            release(exc)

    after[after.index(hook)] = inject_when_used
    teardown[teardown.index(release)] = release_when_used
