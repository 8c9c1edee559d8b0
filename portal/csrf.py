"""The CSRF token a rendered form carries, made as Flask-WTF's ``generate_csrf`` makes it
(the same raw token in the session, the same salt, key and per-request cache in ``g``, so
Flask-WTF's ``validate_csrf`` and the templates' ``csrf_token()`` take it as their own),
but with one serializer per key instead of one per call and without itsdangerous'
compression attempt (``portal.tokens.UncompressedSerializer``): about 50 µs of every form
page (issue 17, fifth round). tests/public/test_csrf_token.py checks it against Flask-WTF.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import current_app, g, session

from portal.tokens import UncompressedSerializer

SALT = "wtf-csrf-token"  # Flask-WTF's


@lru_cache(maxsize=8)
def _serializer(secret_key: str | bytes) -> UncompressedSerializer:
    return UncompressedSerializer(secret_key, salt=SALT)


def _new_raw() -> str:
    return hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's raw token


def generate_csrf() -> str:
    """This request's signed CSRF token (made once per request, as Flask-WTF does)."""
    config = current_app.config
    field_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not field_name:
        raise RuntimeError("A field name is required to use CSRF.")
    token = g.get(field_name)
    if token is not None:
        return str(token)
    secret = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if not secret:
        raise RuntimeError("A secret key is required to use CSRF.")
    serializer = _serializer(secret)
    if field_name not in session:
        session[field_name] = _new_raw()
    try:
        token = serializer.dumps(session[field_name])
    except TypeError:  # a raw token JSON cannot hold: a new one, as Flask-WTF does
        session[field_name] = _new_raw()
        token = serializer.dumps(session[field_name])
    setattr(g, field_name, token)
    return str(token)
