"""rights.driversql runs its statements on the driver's cursor (issue 17, fifth round): the
same rows, new row id and row count as through SQLAlchemy, SQLAlchemy's own exception
classes, the connection's transaction, and statement listeners still served. On SQLite and,
with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, MultipleResultsFound, NoResultFound

from rights.driversql import MAX_ROWS, DriverStatement, RowsInsert, run_on_driver

METADATA = MetaData()
THINGS = Table(
    "driversql_things",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
)
INSERT = DriverStatement(THINGS.insert(), ("name",))
NAMES = DriverStatement(select(THINGS.c.name).order_by(THINGS.c.id))
RENAME = DriverStatement(
    update(THINGS).where(THINGS.c.name == bindparam("old")).values(name=bindparam("new"))
)


@pytest.fixture
def things(connection: Connection) -> Connection:
    """The test's connection with a table of its own (made and dropped in the rolled-back
    transaction)."""
    METADATA.create_all(connection)
    return connection


@pytest.fixture(params=["driver", "listened"])
def path(request: pytest.FixtureRequest, things: Connection) -> Iterator[list[str]]:
    """Each test once on the driver's cursor and once with a statement listener (which
    sends the statement through ``exec_driver_sql``); yields what the listener saw."""
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    if request.param == "listened":
        event.listen(things.engine, "before_cursor_execute", listener)
    yield seen
    if request.param == "listened":
        event.remove(things.engine, "before_cursor_execute", listener)


def test_insert_select_and_update_answer_as_sqlalchemy_does(things, path) -> None:
    first = INSERT.execute(things, {"name": "ann"})
    INSERT.execute(things, {"name": "bob"})
    if things.dialect.postfetch_lastrowid:  # SQLite: the driver's row id is the new key
        assert not first.returns_rows
        assert first.lastrowid == things.scalar(select(THINGS.c.id).where(THINGS.c.name == "ann"))
    names = NAMES.execute(things)
    assert names.returns_rows
    assert [tuple(row) for row in names.rows] == [("ann",), ("bob",)]
    assert tuple(names.first() or ()) == ("ann",)
    renamed = RENAME.execute(things, {"old": "bob", "new": "bea"})
    assert renamed.rowcount == 1
    assert list(things.scalars(select(THINGS.c.name).order_by(THINGS.c.id))) == ["ann", "bea"]


def test_one_refuses_no_rows_and_many_rows(things, path) -> None:
    with pytest.raises(NoResultFound):
        NAMES.execute(things).one()
    RowsInsert(THINGS, ("name",)).execute(things, [{"name": "a"}, {"name": "b"}])
    with pytest.raises(MultipleResultsFound):
        NAMES.execute(things).one()


def test_a_driver_error_is_sqlalchemys_and_the_transaction_goes_on(things, path) -> None:
    INSERT.execute(things, {"name": "ann"})
    savepoint = things.begin_nested()
    with pytest.raises(IntegrityError) as caught:
        INSERT.execute(things, {"name": "ann"})
    assert isinstance(caught.value.orig, things.dialect.loaded_dbapi.IntegrityError)
    assert "driversql_things" in str(caught.value)  # the statement, as SQLAlchemy says it
    savepoint.rollback()
    INSERT.execute(things, {"name": "bob"})
    assert list(things.scalars(select(THINGS.c.name).order_by(THINGS.c.id))) == ["ann", "bob"]


def test_many_rows_through_executemany(things, path) -> None:
    rows = [{"name": f"n{i}"} for i in range(5)]
    INSERT.execute(things, rows)
    assert len(list(things.scalars(select(THINGS.c.name)))) == 5


def test_more_rows_than_one_statement_takes_go_through_executemany_asking_nothing_back(
    things, path
) -> None:
    rows = [{"name": f"n{i}"} for i in range(MAX_ROWS + 3)]
    RowsInsert(THINGS, ("name",)).execute(things, rows)
    stored = list(things.scalars(select(THINGS.c.name).order_by(THINGS.c.id)))
    assert stored == [row["name"] for row in rows]
    # No RETURNING of the new keys nobody reads (PostgreSQL would send them back per row).
    assert all("RETURNING" not in statement.upper() for statement in path)


def test_a_listener_sees_every_statement_and_the_driver_path_skips_sqlalchemy(
    things, path, monkeypatch
) -> None:
    listened = bool(things.dispatch.before_cursor_execute)
    if not listened:  # the driver path: exec_driver_sql is not used at all
        monkeypatch.setattr(
            Connection, "exec_driver_sql", lambda *a, **k: pytest.fail("exec_driver_sql used")
        )
    INSERT.execute(things, {"name": "ann"})
    NAMES.execute(things)
    assert len(path) == (2 if listened else 0)
    assert all("driversql_things" in statement for statement in path)


def test_a_connection_without_a_transaction_begins_one(engine) -> None:
    with engine.connect() as conn:
        METADATA.create_all(conn)
        conn.commit()
        try:
            assert not conn.in_transaction()
            INSERT.execute(conn, {"name": "ann"})
            assert conn.in_transaction()
            conn.rollback()  # the insert was in that transaction: gone with it
            assert list(conn.scalars(select(THINGS.c.name))) == []
        finally:
            conn.rollback()
            METADATA.drop_all(conn)
            conn.commit()


def test_a_lost_connection_is_invalidated(engine, monkeypatch) -> None:
    """A driver error the dialect reads as a lost connection invalidates it (the pool makes
    a new one), as SQLAlchemy's own execution does."""
    monkeypatch.setattr(type(engine.dialect), "is_disconnect", lambda *a, **k: True)
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(DBAPIError) as caught:
            run_on_driver(conn, "SELECT no_such_column FROM no_such_table")
        assert caught.value.connection_invalidated is True
        assert conn.invalidated
