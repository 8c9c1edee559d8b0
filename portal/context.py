"""Builds the ``operations.Context`` from the Flask app: once per request (``context()``),
or for a command or worker pass (``context_for(app, session)``). The only place that
reads configuration for the use cases."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from operations.context import Context, Settings
from portal.clock import now
from portal.db import get_session
from rights.audit import SYSTEM, Actor
from rights.db import now_utc
from rights.keys import Keyring
from rights.policy import Policy


def settings_from(app: Flask) -> Settings:
    config = app.config
    return Settings(
        base_url=str(config.get("BASE_URL") or "http://localhost:5000").rstrip("/"),
        secret_key=str(config["SECRET_KEY"]),
        instance_path=Path(app.instance_path),
        document_dir=Path(config["DOCUMENT_DIR"]) if config.get("DOCUMENT_DIR") else None,
        package_dir=Path(config["PACKAGE_DIR"]) if config.get("PACKAGE_DIR") else None,
        package_retention_days=int(config.get("PACKAGE_RETENTION_DAYS", 30)),
        upload_max_bytes=int(config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        extra=config,
    )


def policy_from(app: Flask) -> Policy:
    from portal.cli import policy_from as _policy_from  # until the policy moves here

    return _policy_from(app)


def context_for(
    app: Flask, session: Session, actor: Actor = SYSTEM, language: str = "nl"
) -> Context:
    """A context for a command or a worker pass (no request needed)."""
    clock = app.config.get("CLOCK") or now_utc
    return Context(
        session=session,
        keyring=Keyring.from_text(str(app.config["ENCRYPTION_KEY"])),
        policy=policy_from(app),
        settings=settings_from(app),
        actor=actor,
        clock=clock,
        language=language,
    )


def _request_actor() -> Actor:
    if current_user and current_user.is_authenticated:
        return Actor.user(int(current_user.id))
    return Actor.subject()


def context() -> Context:
    """The context of the current request: its session, the logged-in user (or the data
    subject on public pages), the request's language."""
    if "dsr_context" not in g:
        from flask_babel import get_locale

        locale = get_locale()
        g.dsr_context = Context(
            session=get_session(),
            keyring=Keyring.from_text(str(current_app.config["ENCRYPTION_KEY"])),
            policy=policy_from(current_app),
            settings=settings_from(current_app),
            actor=_request_actor(),
            clock=now,
            language=locale.language if locale else "nl",
        )
    ctx: Context = g.dsr_context
    return ctx
