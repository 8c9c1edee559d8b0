"""Alembic environment: the schema is ``rights.models``; the URL comes from the caller
(``dsr-portal db upgrade``), ``-x url=...`` or ``PORTAL_DATABASE_URL``."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context

import rights.models  # noqa: F401 - registers every table on the metadata
from rights.db import Base
from rights.engine import make_engine, normalise_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("PORTAL_DATABASE_URL")
    )
    if not url:
        raise RuntimeError("no database URL: set PORTAL_DATABASE_URL or pass -x url=...")
    return normalise_url(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
