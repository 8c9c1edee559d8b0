"""Configuration classes. Values come from environment variables with a ``PORTAL_`` prefix;
production refuses to start without a real secret key, encryption key and https base URL."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rights.authentication import LockPolicy
from rights.crypto import generate_key, parse_key

ENV_KEYS = {
    # name in app.config: (environment variable, type)
    "SECRET_KEY": ("PORTAL_SECRET_KEY", str),
    "DATABASE_URL": ("PORTAL_DATABASE_URL", str),
    "BASE_URL": ("PORTAL_BASE_URL", str),
    "ENCRYPTION_KEY": ("PORTAL_ENCRYPTION_KEY", str),
    "MAIL_MODE": ("PORTAL_MAIL_MODE", str),
    "MAIL_FROM": ("PORTAL_MAIL_FROM", str),
    "SMTP_HOST": ("PORTAL_SMTP_HOST", str),
    "SMTP_PORT": ("PORTAL_SMTP_PORT", int),
    "SMTP_USER": ("PORTAL_SMTP_USER", str),
    "SMTP_PASSWORD": ("PORTAL_SMTP_PASSWORD", str),
    "SMTP_SECURITY": ("PORTAL_SMTP_SECURITY", str),
    "TRUSTED_HOSTS": ("PORTAL_TRUSTED_HOSTS", list),
    "RATELIMIT_STORAGE_URI": ("PORTAL_RATELIMIT_STORAGE_URI", str),
    "MAX_CONTENT_LENGTH": ("PORTAL_MAX_CONTENT_LENGTH", int),
    "MAX_FORM_FIELDS": ("PORTAL_MAX_FORM_FIELDS", int),
    "TRUSTED_PROXIES": ("PORTAL_TRUSTED_PROXIES", int),
    "SOURCE_SQLITE_DIR": ("PORTAL_SOURCE_SQLITE_DIR", str),
    "SOURCE_ALLOWED_HOSTS": ("PORTAL_SOURCE_ALLOWED_HOSTS", list),
    "GOOD_FRIDAY_IS_HOLIDAY": ("PORTAL_GOOD_FRIDAY_IS_HOLIDAY", bool),
    "EQUATED_DAYS_ARE_HOLIDAYS": ("PORTAL_EQUATED_DAYS_ARE_HOLIDAYS", bool),
    "UNDUE_DELAY_WORKING_DAYS": ("PORTAL_UNDUE_DELAY_WORKING_DAYS", int),
    "DOCUMENT_DIR": ("PORTAL_DOCUMENT_DIR", str),
    "STORAGE_URL": ("PORTAL_STORAGE_URL", str),
    "S3_ENDPOINT_URL": ("PORTAL_S3_ENDPOINT_URL", str),
    "AUDIT_ANCHOR_EMAIL": ("PORTAL_AUDIT_ANCHOR_EMAIL", str),
    "UPLOAD_MAX_BYTES": ("PORTAL_UPLOAD_MAX_BYTES", int),
    "VERIFICATION_LINK_DAYS": ("PORTAL_VERIFICATION_LINK_DAYS", int),
    "UNVERIFIED_AUTO_CLOSE_DAYS": ("PORTAL_UNVERIFIED_AUTO_CLOSE_DAYS", int),
    "IDENTITY_ANSWER_DAYS": ("PORTAL_IDENTITY_ANSWER_DAYS", int),
    "CASE_RETENTION_DAYS": ("PORTAL_CASE_RETENTION_DAYS", int),
    "RATELIMIT_PUBLIC_IP": ("PORTAL_RATELIMIT_PUBLIC_IP", str),
    "RATELIMIT_PUBLIC_EMAIL": ("PORTAL_RATELIMIT_PUBLIC_EMAIL", str),
    "PACKAGE_DIR": ("PORTAL_PACKAGE_DIR", str),
    "OPERATOR_NAME": ("PORTAL_OPERATOR_NAME", str),
    "PACKAGE_RETENTION_DAYS": ("PORTAL_PACKAGE_RETENTION_DAYS", int),
    "REMINDER_HOUR": ("PORTAL_REMINDER_HOUR", int),
    "FORWARD_REMIND_DAYS": ("PORTAL_FORWARD_REMIND_DAYS", int),
    "FORWARD_ESCALATE_DAYS": ("PORTAL_FORWARD_ESCALATE_DAYS", int),
    "INCIDENT_REMIND_HOURS": ("PORTAL_INCIDENT_REMIND_HOURS", int),
    "SESSION_IDLE_MINUTES": ("PORTAL_SESSION_IDLE_MINUTES", int),
    "SESSION_ABSOLUTE_HOURS": ("PORTAL_SESSION_ABSOLUTE_HOURS", int),
    "INVITATION_MAX_AGE_HOURS": ("PORTAL_INVITATION_MAX_AGE_HOURS", int),
    "RESET_MAX_AGE_MINUTES": ("PORTAL_RESET_MAX_AGE_MINUTES", int),
    "MINOR_REVIEW_FROM_AGE": ("PORTAL_MINOR_REVIEW_FROM_AGE", int),
    "MINOR_SELF_FROM_AGE": ("PORTAL_MINOR_SELF_FROM_AGE", int),
    "TASK_LINK_DAYS": ("PORTAL_TASK_LINK_DAYS", int),
    "LOCK_MINUTES": ("PORTAL_LOCK_MINUTES", int),
    "MAX_FAILED_PASSWORDS": ("PORTAL_MAX_FAILED_PASSWORDS", int),
    "PASSWORD_FAIL_WINDOW_MINUTES": ("PORTAL_PASSWORD_FAIL_WINDOW_MINUTES", int),
    "MAX_FAILED_CODES": ("PORTAL_MAX_FAILED_CODES", int),
    "OPENDSR_KEY_FILE": ("PORTAL_OPENDSR_KEY_FILE", str),
    "OPENDSR_CERT_FILE": ("PORTAL_OPENDSR_CERT_FILE", str),
    "OPENDSR_MAX_AGE_DAYS": ("PORTAL_OPENDSR_MAX_AGE_DAYS", int),
    "OPENDSR_RATE_LIMIT": ("PORTAL_OPENDSR_RATE_LIMIT", str),
    "OPENDSR_MAX_BODY_BYTES": ("PORTAL_OPENDSR_MAX_BODY_BYTES", int),
    "OPENDSR_MAX_IDENTITIES": ("PORTAL_OPENDSR_MAX_IDENTITIES", int),
}

# Brute-force limits (rights.accounts.LockPolicy); all must be whole numbers of at least 1.
LOCK_KEYS = (
    "LOCK_MINUTES",
    "MAX_FAILED_PASSWORDS",
    "PASSWORD_FAIL_WINDOW_MINUTES",
    "MAX_FAILED_CODES",
)
# Working days before a forward is reminded and escalated; whole numbers of at least 1.
FORWARD_KEYS = ("FORWARD_REMIND_DAYS", "FORWARD_ESCALATE_DAYS")


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = ""
    DATABASE_URL = ""
    BASE_URL = "http://localhost:5000"
    ENCRYPTION_KEY = ""
    MAIL_MODE = "smtp"  # smtp | file
    MAIL_FROM = "privacy@localhost"
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_SECURITY = "none"  # none | starttls | tls
    TRUSTED_HOSTS: list[str] | None = None
    RATELIMIT_STORAGE_URI = "memory://"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_FIELDS = 300  # more is refused with 413 (portal/input_guard.py)
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-* headers count
    GOOD_FRIDAY_IS_HOLIDAY = False
    EQUATED_DAYS_ARE_HOLIDAYS = False
    UNDUE_DELAY_WORKING_DAYS = 5
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "dsr_session"
    HSTS = False
    OPERATOR_NAME = "DSR Portal"
    WORKER_POLL_SECONDS = 5.0
    DOCUMENT_DIR = ""  # empty: <instance>/documents
    # Empty: the local folders (DOCUMENT_DIR, PACKAGE_DIR); s3://bucket/prefix: S3 (boto3).
    STORAGE_URL = ""
    S3_ENDPOINT_URL = ""  # an S3-compatible endpoint other than AWS (MinIO, Ceph, ...)
    AUDIT_ANCHOR_EMAIL = ""  # the worker mails `audit anchor` here once a day
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    REMINDER_HOUR = 7  # the daily digest goes out after this hour, Amsterdam time
    # A forward without a controller decision: a reminder to the designated contacts after
    # this many working days, an escalation to the officers after the second number
    # (docs/controllers.md, "Forwarding").
    FORWARD_REMIND_DAYS = 3
    FORWARD_ESCALATE_DAYS = 5
    # An incident clock with this many hours or less left reminds the officers
    # (docs/incidents.md, "The clocks"); 1 to 72.
    INCIDENT_REMIND_HOURS = 6
    # Public intake (data-subject issue): link lifetime, auto-close, abuse limits.
    VERIFICATION_LINK_DAYS = 7
    UNVERIFIED_AUTO_CLOSE_DAYS = 14
    IDENTITY_ANSWER_DAYS = 30  # an unanswered identity question closes the request
    CASE_RETENTION_DAYS = 730  # finished cases lose their personal data after this
    RATELIMIT_PUBLIC_IP = "20 per hour"  # submit, resend and lost-link, per IP address
    RATELIMIT_PUBLIC_EMAIL = "5 per hour"  # the same, per e-mail address or request
    PACKAGE_DIR = ""  # empty: <instance>/packages (encrypted export packages)
    PACKAGE_RETENTION_DAYS = 30
    # Accounts: idle and absolute session timeouts, lifetime of mailed links.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    INVITATION_MAX_AGE_HOURS = 72
    RESET_MAX_AGE_MINUTES = 60
    # Minors (docs/legal.md, "Representatives and minors"): a parent acting for a child from this
    # age goes to manual review; from MINOR_SELF_FROM_AGE the child's own mandate is needed.
    MINOR_REVIEW_FROM_AGE = 12
    MINOR_SELF_FROM_AGE = 16
    # Link in a manual source's task mail: valid this long, and only until answered.
    TASK_LINK_DAYS = 30
    # Brute force: this many wrong passwords within the window, or wrong codes, lock the
    # account for LOCK_MINUTES (and end its open sessions).
    LOCK_MINUTES = 15
    MAX_FAILED_PASSWORDS = 10
    PASSWORD_FAIL_WINDOW_MINUTES = 5
    MAX_FAILED_CODES = 5
    # The machine API (docs/api.md, "Limits" and "Signatures"): the signing pair, the oldest
    # submitted_time taken, the rate per key, body size and identities per request.
    OPENDSR_KEY_FILE = ""
    OPENDSR_CERT_FILE = ""
    OPENDSR_MAX_AGE_DAYS = 90
    OPENDSR_RATE_LIMIT = "600 per minute"
    OPENDSR_MAX_BODY_BYTES = 64 * 1024
    OPENDSR_MAX_IDENTITIES = 10
    OPENDSR_ALLOW_LOOPBACK_CALLBACKS = False  # http://127.0.0.1 callbacks: dev and test only


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    OPENDSR_ALLOW_LOOPBACK_CALLBACKS = True
    MAIL_MODE = "file"
    SESSION_COOKIE_SECURE = False
    TRUSTED_HOSTS = ["localhost", "127.0.0.1"]


class TestConfig(BaseConfig):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    ENCRYPTION_KEY = "qh1r3xq6O3qV7mS0b1aQn8f1cH4m2bC3dE5fG6hJ7kA"
    DATABASE_URL = "sqlite://"
    MAIL_MODE = "file"
    BASE_URL = "http://localhost"
    SESSION_COOKIE_SECURE = False
    TRUSTED_HOSTS = ["localhost", "127.0.0.1"]
    # The limiter's memory storage lives as long as the process, so counts would leak from
    # one test into the next; tests of the limits switch it on for themselves.
    RATELIMIT_ENABLED = False
    OPENDSR_ALLOW_LOOPBACK_CALLBACKS = True


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    HSTS = True


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def _coerce(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind is int:
        return int(raw)
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def lock_policy(config: Any) -> LockPolicy:
    """The brute-force limits of a configuration. A missing or nonsensical value (0,
    negative) falls back to the default: ``problems`` reports it and production refuses
    to start, but a development server must not answer a login with a 500."""

    def value(name: str) -> int:
        default: int = getattr(BaseConfig, name)
        raw = config.get(name, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            return default
        return raw

    return LockPolicy(
        max_failed_passwords=value("MAX_FAILED_PASSWORDS"),
        password_window=timedelta(minutes=value("PASSWORD_FAIL_WINDOW_MINUTES")),
        max_failed_codes=value("MAX_FAILED_CODES"),
        lock_duration=timedelta(minutes=value("LOCK_MINUTES")),
    )


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (var, kind) in ENV_KEYS.items():
        if var in env and env[var] != "":
            values[name] = _coerce(kind, env[var])
    return values


def development_secrets(instance_path: Path) -> dict[str, str]:
    """A secret key and encryption key kept in the instance folder, so a development
    server's sessions and encrypted files survive a restart. Never used in production."""
    path = instance_path / "dev-secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    data = {"SECRET_KEY": secrets.token_urlsafe(48), "ENCRYPTION_KEY": generate_key()}
    instance_path.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


class ConfigError(RuntimeError):
    """Start-up refused: the configuration is unsafe or incomplete."""


def problems(config: dict[str, Any]) -> list[str]:
    """What is wrong with a configuration; production must have none of these."""
    found = []
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < 32 or secret == TestConfig.SECRET_KEY:
        found.append("PORTAL_SECRET_KEY must be a random string of at least 32 characters")
    try:
        parse_key(config.get("ENCRYPTION_KEY") or "")
    except ValueError:
        found.append("PORTAL_ENCRYPTION_KEY must be 32 random bytes in base64 (dsr-portal gen-key)")
    if config.get("ENCRYPTION_KEY") == TestConfig.ENCRYPTION_KEY:
        found.append("PORTAL_ENCRYPTION_KEY is the test key")
    if not str(config.get("BASE_URL", "")).startswith("https://"):
        found.append("PORTAL_BASE_URL must be an https:// URL")
    if not config.get("DATABASE_URL"):
        found.append("PORTAL_DATABASE_URL is not set")
    if config.get("MAIL_MODE") not in ("smtp", "file"):
        found.append("PORTAL_MAIL_MODE must be smtp or file")
    if config.get("ENV_NAME") == "production" and config.get("MAIL_MODE") == "file":
        found.append("PORTAL_MAIL_MODE=file is for development only")
    if config.get("ENV_NAME") == "production" and not config.get("TRUSTED_HOSTS"):
        found.append("PORTAL_TRUSTED_HOSTS must list the host names the portal answers to")
    review = int(config.get("MINOR_REVIEW_FROM_AGE", BaseConfig.MINOR_REVIEW_FROM_AGE))
    own = int(config.get("MINOR_SELF_FROM_AGE", BaseConfig.MINOR_SELF_FROM_AGE))
    if not 0 < review < own <= 18:
        found.append(
            "PORTAL_MINOR_REVIEW_FROM_AGE must be below PORTAL_MINOR_SELF_FROM_AGE (at most 18)"
        )
    found.extend(storage_problems(config))
    if config.get("ENV_NAME") == "production" and not (
        config.get("OPENDSR_KEY_FILE") and config.get("OPENDSR_CERT_FILE")
    ):
        found.append("PORTAL_OPENDSR_KEY_FILE and PORTAL_OPENDSR_CERT_FILE must be set")
    anchor_to = str(config.get("AUDIT_ANCHOR_EMAIL") or "")
    if anchor_to and "@" not in anchor_to:
        found.append("PORTAL_AUDIT_ANCHOR_EMAIL must be an e-mail address")
    for name in (*LOCK_KEYS, *FORWARD_KEYS):
        raw = config.get(name, getattr(BaseConfig, name))
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            found.append(f"{ENV_KEYS[name][0]} must be a whole number of at least 1")
    remind = config.get("FORWARD_REMIND_DAYS", BaseConfig.FORWARD_REMIND_DAYS)
    escalate = config.get("FORWARD_ESCALATE_DAYS", BaseConfig.FORWARD_ESCALATE_DAYS)
    if isinstance(remind, int) and isinstance(escalate, int) and escalate < remind:
        found.append("PORTAL_FORWARD_ESCALATE_DAYS must not be below PORTAL_FORWARD_REMIND_DAYS")
    hours = config.get("INCIDENT_REMIND_HOURS", BaseConfig.INCIDENT_REMIND_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 72:
        found.append("PORTAL_INCIDENT_REMIND_HOURS must be a whole number from 1 to 72")
    return found


def storage_problems(config: dict[str, Any]) -> list[str]:
    """What is wrong with the file-store settings."""
    url = str(config.get("STORAGE_URL") or "")
    if not url:
        return []
    scheme = urlsplit(url).scheme
    if scheme not in ("s3", "file"):
        return ["PORTAL_STORAGE_URL must start with s3:// or file://"]
    if scheme == "s3" and not urlsplit(url).netloc:
        return ["PORTAL_STORAGE_URL must name a bucket: s3://bucket/prefix"]
    if scheme == "s3" and importlib.util.find_spec("boto3") is None:
        return ["PORTAL_STORAGE_URL=s3://... needs boto3 (pip install 'dsr-portal[s3]')"]
    return []
