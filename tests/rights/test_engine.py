"""docs/security.md, "Nothing lost": the SQLite settings are in force on every connection, and a
write transaction can take the lock up front."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from rights.engine import make_engine, normalise_url


def test_sqlite_connections_have_the_safe_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    engine.dispose()


def test_immediate_transaction_blocks_a_second_writer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'y.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    first = engine.connect().execution_options(sqlite_immediate=True)
    first.begin()
    other = make_engine(f"sqlite:///{tmp_path / 'y.db'}")
    with other.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout=50")
        with pytest.raises(Exception, match="locked"):
            conn.execute(text("INSERT INTO t VALUES (1)"))
    first.rollback()
    first.close()
    engine.dispose()
    other.dispose()


def test_postgres_urls_use_psycopg3():
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("postgres://u@h/db").startswith("postgresql+psycopg://")
