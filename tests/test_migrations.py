"""Migrations build the whole schema from empty on SQLite and PostgreSQL, and the models
match the migrations (no drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import rights.models  # noqa: F401
from rights.db import Base


def test_upgrade_from_empty_creates_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_match_migrations(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_the_queue_counts_index_holds_the_open_requests_only(engine):
    """The counts per state on every queue page read ``ix_rights_request_state_queue``
    alone because it is partial with the counting query's condition (migration 0017; the
    model says the same). Without the condition SQLite scans the index of every request
    ever received and PostgreSQL visits a table row per open request."""
    from sqlalchemy import text

    from rights.queue import _per_state_statement

    query = (
        "SELECT sql FROM sqlite_master WHERE name = :n"
        if engine.dialect.name == "sqlite"
        else "SELECT indexdef FROM pg_indexes WHERE indexname = :n"
    )
    with engine.connect() as conn:
        definition = conn.execute(text(query), {"n": "ix_rights_request_state_queue"}).scalar()
    assert definition is not None
    assert "WHERE" in definition.upper() and "queue_due IS NOT NULL" in definition
    counted = str(_per_state_statement().compile(engine)).lower()
    assert "count(*)" in counted and "queue_due is not null" in counted
