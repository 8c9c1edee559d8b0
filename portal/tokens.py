"""Signed, purpose-bound links (itsdangerous). A token names its purpose (salt), the request
and the request's link generation, so a resend invalidates earlier links and a token for
one purpose or request never works for another."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

PURPOSES = (
    "verify-email",
    "status",
    "download",
    "invitation",
    "password-reset",
    "source-task",
    "receipt",
)


class TokenInvalid(Exception):
    """Tampered, cross-purpose or malformed (404)."""


class TokenExpired(Exception):
    """Signed correctly but too old (410)."""


class UncompressedSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer without its attempt to compress: it runs zlib
    on every payload and keeps the result only when shorter, which the short payloads of a
    link (ids and a generation) never are; the attempt was about half of making a token
    (issue 17, fifth round). A reader takes either form, so links made before still work."""

    def dump_payload(self, obj: Any) -> bytes:
        # The JSON as the plain serializer gives it, then base64 as the URL-safe one does.
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


@lru_cache(maxsize=64)
def _serializer_for(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return UncompressedSerializer(secret_key, salt=f"dsr:{purpose}")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    """One serializer per key and purpose, not one per token (issue 17)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose}")
    return _serializer_for(str(current_app.config["SECRET_KEY"]), purpose)


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return str(_serializer(purpose).dumps(payload))


def read_token(purpose: str, token: str, max_age_seconds: int | None) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict):
        raise TokenInvalid
    return data
