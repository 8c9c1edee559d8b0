"""A Core statement compiled once per dialect and run on the driver (issue 17).

``Connection.execute`` of a Core statement pays, on every call, for the statement's cache
key, the look-up of its compiled form, the construction of the parameters and the
execution context's bookkeeping: on the public intake's POST that was about 60 % of each
INSERT's cost. ``DriverStatement`` does that work once per dialect: it compiles the
statement for the columns it names, keeps the SQL text, the order of the parameters
(positional on SQLite, named on PostgreSQL) and each parameter's bind processor as the
dialect's type gives it (``TypeEngine.dialect_impl(...).bind_processor``, so a
``TypeDecorator`` such as ``rights.db.UTCDateTime`` and the driver's JSON wrapper apply as
in ``Connection.execute``).

``run_on_driver`` then hands the text to the connection's driver cursor itself: even
``Connection.exec_driver_sql`` builds an execution context and a result for every call,
about half of a small INSERT's cost on the intake (issue 17, fifth round). What it keeps of
SQLAlchemy's behaviour: the statement runs inside the connection's transaction (begun
first, as SQLAlchemy's autobegin would), a driver error comes back as SQLAlchemy's own
exception class (``IntegrityError``, ``OperationalError``, ...), and a lost connection is
invalidated so the pool does not hand it out again. When anyone listens for statement
events (``before_cursor_execute``/``after_cursor_execute``: the tests' statement counts,
tracing), the statement goes through ``exec_driver_sql`` so the listeners see it. Rows come
back as the driver gives them, without result processors: a statement read back this way
returns plain values only (integers, strings).

Only for statements on a hot path whose parameters are known up front: an ``INSERT`` of
named columns, an ``UPDATE``/``SELECT`` whose bind parameters are named with ``bindparam``.
docs/architecture.md, "Writing a new request", says where it is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any] | None
Values = Mapping[str, Any] | Sequence[Mapping[str, Any]]


Params = tuple[Any, ...] | dict[str, Any]


@dataclass(frozen=True, slots=True)
class DriverResult:
    """What a driver statement gave back: its rows (plain values), whether it returns rows
    at all (a SELECT or RETURNING), the new row's id where the driver tells it (SQLite's
    ``lastrowid``) and how many rows it touched."""

    rows: Sequence[Sequence[Any]]
    returns_rows: bool
    lastrowid: int | None
    rowcount: int

    def first(self) -> Sequence[Any] | None:
        return self.rows[0] if self.rows else None

    def one(self) -> Sequence[Any]:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0]


def _listened(conn: Connection) -> bool:
    dispatch = conn.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def run_on_driver(
    conn: Connection, sql: str, params: Params | Sequence[Params] = (), *, many: bool = False
) -> DriverResult:
    """Run ``sql`` with ``params`` (or, ``many``, once per entry: the driver's executemany)
    on the connection's driver cursor, in its current transaction (module docstring)."""
    if _listened(conn):
        result = conn.exec_driver_sql(sql, params)
        returns = result.returns_rows
        rows = result.all() if returns else []
        by_row_id = getattr(conn.dialect, "postfetch_lastrowid", False)  # SQLite's row id
        last = result.lastrowid if by_row_id and not returns else None
        return DriverResult(rows, returns, last, result.rowcount)
    dialect = conn.dialect
    fairy = conn.connection
    cursor = fairy.cursor()
    try:
        if many:
            cursor.executemany(sql, cast(Sequence[Any], params))
        else:
            cursor.execute(sql, params)
        returns = cursor.description is not None
        rows = cursor.fetchall() if returns else []
        found = DriverResult(rows, returns, getattr(cursor, "lastrowid", None), cursor.rowcount)
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, fairy.dbapi_connection, cursor)
        _close_quietly(cursor)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            params,
            exc,
            dialect.loaded_dbapi.Error,
            hide_parameters=bool(getattr(conn.engine, "hide_parameters", False)),
            connection_invalidated=lost,
            dialect=dialect,
            ismulti=many,
        ) from exc
    except BaseException:
        _close_quietly(cursor)
        raise
    cursor.close()
    return found


def _close_quietly(cursor: Any) -> None:
    with suppress(Exception):  # the statement's own error is the one to report
        cursor.close()


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the parameters in the order the SQL text takes them
    positional: bool
    processors: tuple[Processor, ...]
    fixed: Mapping[str, Any]  # the values the statement itself binds (``where(id == 1)``)

    def bind(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.fixed:
            values = {**self.fixed, **values}
        processed = [
            value if process is None else process(value)
            for value, process in zip(
                (values[name] for name in self.names), self.processors, strict=True
            )
        ]
        if self.positional:
            return tuple(processed)
        return dict(zip(self.names, processed, strict=True))


class DriverStatement:
    """``statement`` compiled on first use per dialect, for ``columns`` (an INSERT's column
    keys; other statements name their parameters with ``bindparam``)."""

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None):
        self._statement = statement
        self._columns = list(columns) if columns is not None else None
        self._plans: dict[tuple[str, str], _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        key = (dialect.name, dialect.driver)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(dialect)
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled: Any = self._statement.compile(dialect=dialect, column_keys=self._columns)
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup) if positional else tuple(compiled.bind_names.values())
        if len(set(names)) != len(names):
            raise ValueError("a parameter used twice: name each use with its own bindparam")
        binds = {compiled.bind_names[b]: b for b in compiled.binds.values()}
        escaped = getattr(compiled, "escaped_bind_names", None) or {}
        if escaped and not positional:
            raise ValueError(f"parameter names the driver cannot take as they are: {escaped}")
        processors = tuple(
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        fixed = {
            name: binds[name].effective_value
            for name in names
            if not binds[name].required
            and binds[name].callable is None
            and binds[name].value is not None
        }
        return _Plan(compiled.string, names, positional, processors, fixed)

    def execute(self, conn: Connection, values: Values | None = None) -> DriverResult:
        """Run once with ``values`` (a mapping), or once per row (a sequence of mappings:
        the driver's ``executemany``). Every named parameter must be given."""
        plan = self._plan(conn.dialect)
        if not conn.in_transaction():
            conn.begin()  # as SQLAlchemy's autobegin would (the caller commits)
        if values is None or isinstance(values, Mapping):
            return run_on_driver(conn, plan.sql, plan.bind(values or {}))
        if len(values) == 1:  # the driver's executemany costs more for one row
            return run_on_driver(conn, plan.sql, plan.bind(values[0]))
        rows = [plan.bind(row) for row in values]
        return run_on_driver(conn, plan.sql, rows, many=True)


MAX_ROWS = 16  # rows one multi-row INSERT takes; more go through executemany


def insert_rows(table: Table, columns: Sequence[str], count: int) -> Insert:
    """An INSERT of ``count`` rows in one statement (one round trip, where the driver's
    ``executemany`` may take several), its parameters named ``<column>_<row>``
    (``rows_values`` names them so)."""
    return insert(table).values(
        [
            {name: bindparam(f"{name}_{row}", type_=table.c[name].type) for name in columns}
            for row in range(count)
        ]
    )


def rows_values(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> dict[str, Any]:
    """The parameters of ``insert_rows(table, columns, len(rows))`` for ``rows``."""
    return {f"{name}_{at}": row[name] for at, row in enumerate(rows) for name in columns}


class RowsInsert:
    """An INSERT of any number of rows of ``columns``: up to ``MAX_ROWS`` in one statement
    (built and compiled on first use per number of rows), more through executemany."""

    def __init__(self, table: Table, columns: Sequence[str]):
        self._table, self._columns = table, tuple(columns)
        # inline(): no implicit RETURNING of the new keys, which executemany never reads
        self._each = DriverStatement(insert(table).inline(), columns)
        self._by_count: dict[int, DriverStatement] = {}

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        count = len(rows)
        if count > MAX_ROWS:
            self._each.execute(conn, rows)
        elif count:
            stmt = self._by_count.get(count)
            if stmt is None:
                stmt = self._by_count.setdefault(
                    count, DriverStatement(insert_rows(self._table, self._columns, count))
                )
            stmt.execute(conn, rows_values(rows, self._columns))
