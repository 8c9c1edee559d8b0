"""The Flask edge of DSR Portal: HTTP in, HTTP out."""

from __future__ import annotations

import os
from collections.abc import Callable
from inspect import CO_COROUTINE
from pathlib import Path
from types import FunctionType, MethodType
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Portal(Flask):
    """Flask, with ``ensure_sync`` answering at once for a plain function or method. Flask
    asks it for every hook and view of every request (eleven per request here), and its
    answer, ``inspect.iscoroutinefunction``, unwraps and inspects the function each time
    (issue 17: about 2 µs each). A coroutine function, one marked as such, or any other
    callable goes to Flask's own check."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        target = func.__func__ if type(func) is MethodType else func
        if (
            type(target) is FunctionType
            and not target.__code__.co_flags & CO_COROUTINE
            and "_is_coroutine_marker" not in target.__dict__
        ):
            return func
        return super().ensure_sync(func)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Application factory. ``PORTAL_ENV`` picks the config class (development by default);
    ``overrides`` win over everything (tests). Migrations are never run here."""
    overrides = dict(overrides or {})
    env_name = overrides.pop("ENV_NAME", None) or os.environ.get("PORTAL_ENV", "development")
    app = Portal(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=overrides.pop("INSTANCE_PATH", None)
        or os.environ.get("PORTAL_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config_module.CONFIGS[env_name])
    if env_name != "test":
        app.config.update(config_module.from_environment())
    if env_name == "development":
        for key, value in config_module.development_secrets(Path(app.instance_path)).items():
            app.config.setdefault(key, value)
            if not app.config.get(key):
                app.config[key] = value
        if not app.config.get("DATABASE_URL"):
            app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    app.config.update(overrides)
    _check(app)

    # The edge modules import PROJECT_ROOT and create_app from this package: load them now.
    from portal import cli, db, errors, i18n, input_guard, security, views

    db.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind ``PORTAL_TRUSTED_PROXIES`` reverse proxies, take the client's address, scheme
    and host from their ``X-Forwarded-*`` headers (rate limits, audit, https detection).
    Without the setting those headers are ignored: a client could forge them."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def _check(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production":
        found = config_module.problems(app.config)
        if found:
            raise config_module.ConfigError("; ".join(found))
    if not app.config.get("SECRET_KEY"):
        raise config_module.ConfigError("PORTAL_SECRET_KEY is not set")
