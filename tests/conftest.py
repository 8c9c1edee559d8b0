"""Shared fixtures: a migrated database per test run (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` says so), a per-test transaction rolled back at the end (SQLAlchemy's
"join a session into an external transaction" recipe with savepoints), the app, and
factories."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, Engine, create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from portal import create_app
from portal.db import get_db
from rights.audit import SYSTEM
from rights.engine import make_engine, normalise_url
from rights.models.org import Organisation, OrganisationKind, Role, User
from rights.policy import Policy
from rights.requests import Intake, Requester, create_request
from rights.righttypes import AccessDetails, Details
from rights.users import create_user

# Property tests must not depend on timing: no per-example deadline (a loaded machine ran
# an example over Hypothesis' 200 ms) and no "too slow" health check. Registered on top of
# the profile in force, so in CI Hypothesis' own "ci" profile (derandomized) still applies.
settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("portal")

TEST_PASSWORD = "correct horse battery staple 42"
# Every user made by ``make_user`` is enrolled with this authenticator seed (stored
# encrypted like a real one); ``login`` computes the code with pyotp.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {_backend()}"


def _backend() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


def migrate(url: str) -> None:
    from alembic import command

    from portal.cli import alembic_config

    cfg = alembic_config(url)
    cfg.attributes["configure_logging"] = False  # type: ignore[attr-defined]
    command.upgrade(cfg, "head")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test run (per xdist worker)."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgres", "postgresql")):
        path = tmp_path_factory.mktemp("db") / "test.sqlite"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    base = normalise_url(base)
    name = f"dsr_test_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {"ENV_NAME": "test", "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)}


@pytest.fixture
def app(app_config: dict[str, Any], session_factory: sessionmaker[Session]) -> Flask:
    application = create_app(app_config)
    get_db(application).sessionmaker = session_factory
    return application


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def make_org(db_session: Session) -> Callable[..., Organisation]:
    def make(kind: OrganisationKind = OrganisationKind.CONTROLLER, **kw: Any) -> Organisation:
        slug = kw.pop("slug", f"org-{secrets.token_hex(3)}")
        org = Organisation(
            kind=kind,
            name=kw.pop("name", slug.title()),
            slug=slug,
            created_at=datetime.now(UTC),
            **kw,
        )
        db_session.add(org)
        db_session.flush()
        return org

    return make


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., User]:
    """A user with a password and an enrolled authenticator (``enrolled=False``: none)."""

    def make(
        role: Role = Role.OFFICER,
        organisation: Organisation | None = None,
        password: str = TEST_PASSWORD,
        enrolled: bool = True,
        **kw: Any,
    ) -> User:
        email = kw.pop("email", f"user-{secrets.token_hex(3)}@example.org")
        user = create_user(
            db_session,
            email=email,
            name=kw.pop("name", "Test User"),
            role=role,
            now=datetime.now(UTC),
            actor=SYSTEM,
            password=password,
            organisation=organisation,
        )
        if enrolled:
            _enrol(user)
        db_session.commit()
        return user

    return make


@pytest.fixture
def make_request(db_session: Session, policy: Policy) -> Callable[..., Any]:
    def make(
        details: Details | None = None,
        *,
        received_at: datetime | None = None,
        now: datetime | None = None,
        **kw: Any,
    ) -> Any:
        details = details or AccessDetails()
        received = received_at or datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
        intake = Intake(
            right=details.kind,
            details=details,
            requester=kw.pop("requester", Requester(name="Eva de Boer", email="eva@example.nl")),
            received_at=received,
            **kw,
        )
        req = create_request(db_session, intake, actor=SYSTEM, now=now or received, policy=policy)
        db_session.commit()
        return req

    return make


def _enrol(user: User) -> None:
    from portal.config import TestConfig
    from rights.authentication import set_totp_secret
    from rights.keys import Keyring, Purpose

    seed_key = Keyring.from_text(TestConfig.ENCRYPTION_KEY).purpose_key(Purpose.TOTP_SEEDS)
    set_totp_secret(user, TEST_TOTP_SECRET, seed_key)
    user.totp_enrolled_at = datetime.now(UTC)


def totp_now(app: Flask, secret: str = TEST_TOTP_SECRET, steps: int = 0) -> str:
    """The code an authenticator shows at the app's (possibly frozen) clock."""
    import pyotp

    from rights.db import now_utc

    clock = app.config.get("CLOCK")
    moment = clock() if clock is not None else now_utc()
    return pyotp.TOTP(secret).at(moment, counter_offset=steps)


@pytest.fixture
def login(client: Any, app: Flask, db_session: Session) -> Callable[[User], None]:
    """Log a user in through the real forms (CSRF on): password, then a TOTP code. The
    replay guard is reset first, so a test may log the same user in more than once."""
    from tests.helpers import csrf_token

    def do(user: User, password: str = TEST_PASSWORD) -> None:
        if user.totp_enrolled_at is None:  # e.g. made with create_user directly
            _enrol(user)
        # An UPDATE, not an attribute change: the app may have stored a newer step than the
        # test session's copy of the user knows about.
        db_session.execute(update(User).where(User.id == user.id).values(totp_last_timecode=None))
        db_session.commit()
        page = client.get("/auth/login")
        resp = client.post(
            "/auth/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_token(page)},
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        assert resp.headers["Location"].endswith("/auth/code"), resp.headers["Location"]
        page = client.get("/auth/code")
        resp = client.post(
            "/auth/code", data={"code": totp_now(app), "csrf_token": csrf_token(page)}
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]

    return do


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Override pytest-flask's autouse fixture: a test-wide request context would make every
    client request share one app context (one ``g``, one cached locale, one DB session),
    which real requests never do."""
