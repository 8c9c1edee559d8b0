"""The public blueprint and its rate limits (docs/security.md, "Rate limits").

No page differs for an e-mail address the portal knows: intake never looks addresses up,
and the lost-link answer is the same whether or not a request exists.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from operator import itemgetter
from typing import Any

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

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


@dataclass(frozen=True)
class PostLimit:
    """A limit on a view's POSTs: the configuration key of its rate (``limits`` notation,
    "5 per hour") and whose POSTs it counts together."""

    setting: str
    key: Callable[[], str]


BY_IP = PostLimit("RATELIMIT_PUBLIC_IP", get_remote_address)
BY_EMAIL = PostLimit("RATELIMIT_PUBLIC_EMAIL", _email_key)


@lru_cache(maxsize=32)
def _rate(text: str) -> RateLimitItem:
    return parse(text)


def _hit(limits: tuple[PostLimit, ...]) -> None:
    """Count this POST against each limit as Flask-Limiter counts a route's own limits (its
    storage and strategy, the route's endpoint as scope; the shortest window first, else in
    the order given, and the first breach ends the count); over one, a 429 with
    ``Retry-After``."""
    if not limiter.enabled:
        return
    config, scope = current_app.config, str(request.endpoint)
    rates = sorted(((_rate(str(config[lim.setting])), lim) for lim in limits), key=itemgetter(0))
    for rate, lim in rates:
        key = lim.key()
        if not limiter.limiter.hit(rate, key, scope):
            reset = limiter.limiter.get_window_stats(rate, key, scope).reset_time
            raise TooManyRequests(retry_after=max(1, int(reset - time.time()) + 1))


def on_post(*limits: PostLimit) -> Callable[[Any], Any]:
    """The POST limits of a view that also answers GET: a GET goes straight to the view; a
    POST is counted by ``_hit``, without Flask-Limiter's per-request resolution of the
    route's limits (issue 17: about 0.2 ms of every submit; ``per_ip``/``per_email`` stay
    for POST-only views). ``tests/public/test_abuse.py`` holds both to the same counts."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def either(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                _hit(limits)
            return view(*args, **kwargs)

        return either

    return wrap
