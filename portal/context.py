"""Builds the ``operations.Context`` from the Flask app: once per request (``context()``),
for a command or worker pass (``context_for(app, session)``), or for picking a key or file
store where no database work happens (``key_context(app)``). The only place that reads
configuration for the use cases."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from operations.context import Context, Settings
from portal.clock import now
from portal.db import get_session
from portal.i18n import current_locale
from rights.audit import SYSTEM, Actor
from rights.deadlines import NLHolidayCalendar
from rights.keys import Keyring
from rights.opendsr.callbacks import use_processor_domain
from rights.opendsr.signing import processor_domain
from rights.policy import Policy
from rights.reminders import REMINDER_HOUR

_SETTINGS = (
    "BASE_URL", "SECRET_KEY", "DOCUMENT_DIR", "PACKAGE_DIR", "PACKAGE_RETENTION_DAYS",
    "UPLOAD_MAX_BYTES", "REMINDER_HOUR",
)  # fmt: skip
_POLICY = (
    "GOOD_FRIDAY_IS_HOLIDAY", "EQUATED_DAYS_ARE_HOLIDAYS", "UNDUE_DELAY_WORKING_DAYS",
    "VERIFICATION_LINK_DAYS", "UNVERIFIED_AUTO_CLOSE_DAYS", "IDENTITY_ANSWER_DAYS",
    "CASE_RETENTION_DAYS", "MINOR_REVIEW_FROM_AGE", "MINOR_SELF_FROM_AGE",
)  # fmt: skip
T = TypeVar("T")


def _built_once(app: Flask, what: str, names: tuple[str, ...], build: Callable[[], T]) -> T:
    """``build()``, made again only when one of the configuration values it reads changed
    (every request reads the settings, the policy and the keys; issue 17)."""
    config = app.config
    key = (app.instance_path, *(config.get(name) for name in names))
    memo: dict[str, tuple[tuple[Any, ...], Any]] = app.extensions.setdefault("dsr_built", {})
    held = memo.get(what)
    if held is not None and held[0] == key:
        value: T = held[1]
        return value
    value = build()
    memo[what] = (key, value)
    return value


def settings_from(app: Flask) -> Settings:
    return _built_once(app, "settings", _SETTINGS, partial(_settings, app))


def _settings(app: Flask) -> Settings:
    config = app.config
    return Settings(
        base_url=str(config.get("BASE_URL") or "http://localhost:5000").rstrip("/"),
        secret_key=str(config["SECRET_KEY"]),
        instance_path=Path(app.instance_path),
        document_dir=Path(config["DOCUMENT_DIR"]) if config.get("DOCUMENT_DIR") else None,
        package_dir=Path(config["PACKAGE_DIR"]) if config.get("PACKAGE_DIR") else None,
        package_retention_days=int(config.get("PACKAGE_RETENTION_DAYS", 30)),
        upload_max_bytes=int(config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        reminder_hour=int(config.get("REMINDER_HOUR", REMINDER_HOUR)),
        extra=config,
    )


def policy_from(app: Flask) -> Policy:
    """The legal settings (holiday calendar, verification and auto-close periods, minor
    ages) from configuration."""
    return _built_once(app, "policy", _POLICY, partial(_policy, app))


def _policy(app: Flask) -> Policy:
    config = app.config
    return Policy(
        calendar=NLHolidayCalendar(
            good_friday=bool(config["GOOD_FRIDAY_IS_HOLIDAY"]),
            equated_days=bool(config["EQUATED_DAYS_ARE_HOLIDAYS"]),
        ),
        undue_delay_working_days=int(config["UNDUE_DELAY_WORKING_DAYS"]),
        verification_link_days=int(config["VERIFICATION_LINK_DAYS"]),
        unverified_auto_close_days=int(config["UNVERIFIED_AUTO_CLOSE_DAYS"]),
        identity_answer_days=int(config["IDENTITY_ANSWER_DAYS"]),
        case_retention_days=int(config["CASE_RETENTION_DAYS"]),
        minor_review_from_age=int(config["MINOR_REVIEW_FROM_AGE"]),
        minor_self_from_age=int(config["MINOR_SELF_FROM_AGE"]),
    )


def keyring_from(app: Flask) -> Keyring:
    return _built_once(
        app,
        "keyring",
        ("ENCRYPTION_KEY",),
        lambda: Keyring.from_text(str(app.config["ENCRYPTION_KEY"])),
    )


def context_for(
    app: Flask, session: Session, actor: Actor = SYSTEM, language: str = "nl"
) -> Context:
    """A context for a command or a worker pass (no request needed)."""
    settings = settings_from(app)
    # The denial extension of a status callback is keyed by this domain (docs/api.md).
    if session is not None:  # a context only for its stores (tests) has no session
        use_processor_domain(session, processor_domain(settings.base_url))
    return Context(
        session=session,
        keyring=keyring_from(app),
        policy=policy_from(app),
        settings=settings,
        actor=actor,
        clock=partial(now, app),
        language=language,
    )


def key_context(app: Flask | None = None) -> Context:
    """A context for picking keys and file stores only (a test, a store helper outside a
    request). Its session is unbound, so any database work through it fails loudly."""
    return context_for(app or current_app, Session())


def _request_actor() -> Actor:
    if current_user and current_user.is_authenticated:
        return Actor.user(int(current_user.id))
    return Actor.subject()


def context() -> Context:
    """The context of the current request: its session, the logged-in user (or the data
    subject on public pages), the request's language."""
    if "dsr_context" not in g:
        locale = current_locale()
        g.dsr_context = Context(
            session=get_session(),
            keyring=keyring_from(current_app),
            policy=policy_from(current_app),
            settings=settings_from(current_app),
            actor=_request_actor(),
            clock=now,
            language=locale.language if locale else "nl",
        )
    ctx: Context = g.dsr_context
    return ctx
