"""The public blueprint and its rate limits (docs/security.md, "Rate limits").

No page differs for an e-mail address the portal knows: intake never looks addresses up,
and the lost-link answer is the same whether or not a request exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address

from portal.public.labels import right_label, state_label
from portal.security import limiter
from portal.tokens import TokenExpired, TokenInvalid, read_token
from rights.controllers.authority import answers_itself

bp = Blueprint("public", __name__)
bp.add_app_template_global(right_label, "right_label")
bp.add_app_template_global(state_label, "state_label")
# The controller when it answers the subject itself (the status page says who answers).
bp.add_app_template_global(answers_itself, "controller_answering")


def _ip_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_IP"])


def _email_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_EMAIL"])


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _email_key() -> str:
    value = (request.form.get("email") or "").strip().lower()[:254]
    return _hashed("email", value) if value else get_remote_address()


def _request_key() -> str:
    """Per request (and so per address) for the resend buttons."""
    token = (request.view_args or {}).get("token", "")
    for purpose in ("status", "verify-email"):
        try:
            return f"request:{int(read_token(purpose, token, None)['r'])}"
        except (TokenInvalid, TokenExpired, KeyError, TypeError, ValueError):
            continue
    return get_remote_address()


per_ip = limiter.limit(_ip_limit, methods=["POST"], key_func=get_remote_address)
per_email = limiter.limit(_email_limit, methods=["POST"], key_func=_email_key)
per_request = limiter.limit(_email_limit, methods=["POST"], key_func=_request_key)


def on_post(*limits: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The limits (all ``methods=["POST"]``) around a view that also answers GET: a GET goes
    straight to the view, since the limiter would only find every limit exempt for it
    (issue 17: its check was about 0.1 ms of the intake's form page)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        limited = view
        for limit in reversed(limits):
            limited = limit(limited)

        @wraps(view)
        def either(*args: Any, **kwargs: Any) -> Any:
            return (limited if request.method == "POST" else view)(*args, **kwargs)

        return either

    return wrap
