"""An SQL database as a data source, through any SQLAlchemy URL and a declarative mapping.

Every failure of the database or the mapping becomes a :class:`SourceError` with a stable
code (``unreachable``, ``timeout``, ``missing_table``, ``missing_column``, ``query_failed``,
``changed_since_preview``), and every change runs in one transaction on the source that is
rolled back on any error: nothing is half-done.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Engine, MetaData, Table, create_engine, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, SQLAlchemyError
from sqlalchemy.types import String, Text

from rights.engine import normalise_url
from rights.errors import SourceError
from rights.sources.mapping import TableSpec
from rights.sources.plans import Op, Plan, changed_since_preview
from rights.sources.rows import Row
from rights.sources.sqlfind import find_in
from rights.sources.subject import SubjectKeys

__all__ = ["Row", "SqlSource", "SubjectKeys"]

_TIMEOUT_WORDS = re.compile(r"timeout|timed out|canceling statement|database is locked", re.I)


def _classify(exc: Exception, source: str) -> SourceError:
    text = str(getattr(exc, "orig", exc))
    if _TIMEOUT_WORDS.search(text):
        return SourceError("The source did not answer in time.", code="timeout", source=source)
    if isinstance(exc, OperationalError):
        return SourceError("The source cannot be reached.", code="unreachable", source=source)
    return SourceError("A query on the source failed.", code="query_failed", source=source)


class SqlSource:
    """One connection pool to the source and its mapping, reflected and checked."""

    def __init__(
        self,
        url: str,
        tables: Sequence[TableSpec],
        *,
        slug: str = "",
        timeout_seconds: int = 10,
    ) -> None:
        self.slug = slug
        self.specs = {t.name: t for t in tables}
        self.engine = self._engine(url, timeout_seconds)
        self._tables: dict[str, Table] | None = None

    @staticmethod
    def _engine(url: str, timeout: int) -> Engine:
        try:
            parsed = make_url(normalise_url(url))
        except Exception as exc:
            raise SourceError("The database URL is not valid.", code="bad_url") from exc
        args: dict[str, Any] = {}
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            args = {"timeout": timeout}
            if parsed.database and parsed.database != ":memory:":
                # Never create an empty database where a mapping expects one.
                path = parsed.database
                parsed = parsed.set(database=f"file:{path}?mode=rw", query={"uri": "true"})
        elif backend == "postgresql":
            args = {
                "connect_timeout": timeout,
                "options": f"-c statement_timeout={timeout * 1000}",
            }
        try:
            return create_engine(parsed, connect_args=args, pool_pre_ping=True)
        except Exception as exc:  # unknown dialect or driver
            raise SourceError("The database URL is not usable.", code="bad_url") from exc

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[Connection]:
        try:
            if write:
                with self.engine.begin() as conn:
                    yield conn
            else:
                with self.engine.connect() as conn:
                    yield conn
        except SourceError:
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            raise _classify(exc, self.slug) from exc

    # -- mapping -----------------------------------------------------------------------

    def check(self) -> dict[str, Table]:
        """Reflect the mapped tables and check every mapped column exists."""
        if self._tables is not None:
            return self._tables
        tables: dict[str, Table] = {}
        with self._connect(write=False) as conn:
            names = set(inspect(conn).get_table_names())
            metadata = MetaData()
            for name, spec in self.specs.items():
                if name not in names:
                    raise SourceError(
                        "A mapped table does not exist.",
                        code="missing_table",
                        source=self.slug,
                        table=name,
                    )
                try:
                    table = Table(name, metadata, autoload_with=conn)
                except NoSuchTableError as exc:
                    raise SourceError(
                        "A mapped table does not exist.",
                        code="missing_table",
                        source=self.slug,
                        table=name,
                    ) from exc
                for column in sorted(spec.all_columns()):
                    if column not in table.c:
                        raise SourceError(
                            "A mapped column does not exist.",
                            code="missing_column",
                            source=self.slug,
                            table=name,
                            column=column,
                        )
                tables[name] = table
        for spec in self.specs.values():
            if spec.link is not None and spec.link.references not in tables[spec.link.table].c:
                raise SourceError(
                    "A mapped column does not exist.",
                    code="missing_column",
                    source=self.slug,
                    table=spec.link.table,
                    column=spec.link.references,
                )
        self._tables = tables
        return tables

    def _children(self, name: str) -> list[TableSpec]:
        return [s for s in self.specs.values() if s.link is not None and s.link.table == name]

    # -- discovery ---------------------------------------------------------------------

    def find(self, keys: SubjectKeys) -> list[tuple[Row, str]]:
        """Rows of tables with identity columns that match the subject, with how."""
        tables = self.check()
        found: dict[tuple[str, str], tuple[Row, str]] = {}
        with self._connect(write=False) as conn:
            for name, spec in self.specs.items():
                if not spec.identity:
                    continue
                table = tables[name]
                for row, how in find_in(conn, table, spec, keys):
                    found.setdefault((name, repr(row.pk)), (row, how))
        return list(found.values())

    # -- collecting the confirmed rows and their linked rows ------------------------------

    def collect(self, conn: Connection, roots: Sequence[tuple[str, Any]]) -> list[Row]:
        """The root rows and every row linked to them, parents before children."""
        tables = self.check()
        result: list[Row] = []
        frontier: dict[str, list[Any]] = {}
        for name, pk in roots:
            if name not in self.specs:
                raise SourceError(
                    "A match names an unmapped table.", code="missing_table", table=name
                )
            frontier.setdefault(name, []).append(pk)
        seen: set[tuple[str, str]] = set()
        while frontier:
            next_frontier: dict[str, list[Any]] = {}
            for name, pks in frontier.items():
                spec, table = self.specs[name], tables[name]
                stmt = (
                    sa_select(table)
                    .where(table.c[spec.primary_key].in_(pks))
                    .order_by(table.c[spec.primary_key])
                )
                rows = [dict(m) for m in conn.execute(stmt).mappings()]
                for values in rows:
                    marker = (name, repr(values[spec.primary_key]))
                    if marker in seen:
                        continue
                    seen.add(marker)
                    result.append(Row(name, values[spec.primary_key], values))
                for child in self._children(name):
                    assert child.link is not None
                    parent_keys = [v[child.link.references] for v in rows]
                    if not parent_keys:
                        continue
                    ctable = tables[child.name]
                    cstmt = sa_select(ctable.c[child.primary_key]).where(
                        ctable.c[child.link.column].in_(parent_keys)
                    )
                    for (cpk,) in conn.execute(cstmt):
                        next_frontier.setdefault(child.name, []).append(cpk)
            frontier = next_frontier
        return result

    def read(self, roots: Sequence[tuple[str, Any]]) -> list[Row]:
        with self._connect(write=False) as conn:
            return self.collect(conn, roots)

    # -- changes -----------------------------------------------------------------------

    def column_nullable(self, table: str, column: str) -> bool:
        return bool(self.check()[table].c[column].nullable)

    def column_is_text(self, table: str, column: str) -> bool:
        col: Column[Any] = self.check()[table].c[column]
        return isinstance(col.type, String | Text)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads; errors of the source become :class:`SourceError`."""
        with self._connect(write=False) as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on the source, rolled back on any error: nothing is half-done."""
        with self._connect(write=True) as conn:
            yield conn

    def write_order(self, plan: Plan) -> Plan:
        """Children first, so deleting a parent never trips a foreign key."""
        order = {name: depth for depth, name in enumerate(self._depth_order())}
        return sorted(plan, key=lambda o: -order[o["table"]])

    def write(self, conn: Connection, op: Op) -> None:
        """Apply one ``delete`` or ``update`` operation; it must touch exactly its one row."""
        table = self.check()[op["table"]]
        pk_col = table.c[self.specs[op["table"]].primary_key]
        if op["op"] == "delete":
            result = conn.execute(table.delete().where(pk_col == op["pk"]))
        else:
            result = conn.execute(table.update().where(pk_col == op["pk"]).values(op["set"]))
        if result.rowcount != 1:
            raise changed_since_preview(source=self.slug)

    def _depth_order(self) -> list[str]:
        def depth(name: str) -> int:
            spec = self.specs[name]
            return 0 if spec.link is None else 1 + depth(spec.link.table)

        return sorted(self.specs, key=depth)
