"""An SQL database as a source: reached through its encrypted URL and its mapping; every
change runs in one transaction on the source (see :class:`rights.sources.sqlsource.SqlSource`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from rights.models.request import RightsRequest
from rights.models.source import DataSource, SubjectMatch
from rights.sources.adapters.base import Before, CategoryCopy, Found, Hit
from rights.sources.adapters.sqlplans import (
    erase_plan,
    rectify_plan,
    restrict_plan,
    roots,
    sql_categories,
)
from rights.sources.mapping import table_specs
from rights.sources.plans import Op, Plan
from rights.sources.registry import source_url
from rights.sources.rows import Row
from rights.sources.sqlsource import SqlSource
from rights.sources.subject import SubjectKeys

__all__ = ["SQL_TIMEOUT_SECONDS", "SqlAdapter", "SqlView", "open_sql"]

SQL_TIMEOUT_SECONDS = 10


def open_sql(source: DataSource, *, key: bytes, timeout: int = SQL_TIMEOUT_SECONDS) -> SqlSource:
    return SqlSource(
        source_url(source, key=key), table_specs(source), slug=source.slug, timeout_seconds=timeout
    )


class SqlView:
    """The matched rows and every row linked to them, read on ``conn``."""

    def __init__(self, sql: SqlSource, conn: Connection, rows: list[Row]) -> None:
        self.sql = sql
        self.conn = conn
        self.rows = rows

    def erase(self) -> Plan:
        return erase_plan(self.sql, self.rows)

    def restrict(self, on: bool) -> Plan:
        return restrict_plan(self.sql, self.rows, on)

    def rectify(self, params: Mapping[str, Any]) -> Plan:
        return rectify_plan(params, self.sql, self.rows)

    def write_order(self, plan: Plan) -> Plan:
        return self.sql.write_order(plan)

    def write(self, op: Op) -> None:
        self.sql.write(self.conn, op)

    def before(self) -> Before:
        return {(r.table, repr(r.pk)): r.values for r in self.rows}


class SqlAdapter:
    def discover(
        self,
        session: Session,
        request: RightsRequest,
        source: DataSource,
        keys: SubjectKeys,
        *,
        key: bytes,
        now: datetime,
    ) -> Found:
        sql = open_sql(source, key=key)
        try:
            return Found(
                hits=[
                    Hit({"table": row.table, "pk": row.pk}, f"{row.table}:{row.pk!r}", how)
                    for row, how in sql.find(keys)
                ]
            )
        finally:
            sql.dispose()

    def values(
        self, session: Session, source: DataSource, matches: Sequence[SubjectMatch], *, key: bytes
    ) -> dict[int, dict[str, Any]]:
        sql = open_sql(source, key=key)
        try:
            rows = {(r.table, repr(r.pk)): r.values for r in sql.read(roots(matches))}
        finally:
            sql.dispose()
        values: dict[int, dict[str, Any]] = {}
        for match in matches:
            row = rows.get((str(match.locator["table"]), repr(match.locator["pk"])))
            if row is not None:
                values[match.id] = row
        return values

    def categories(
        self, session: Session, source: DataSource, matches: Sequence[SubjectMatch], *, key: bytes
    ) -> list[CategoryCopy]:
        sql = open_sql(source, key=key)
        try:
            return sql_categories(sql, sql.read(roots(matches)))
        finally:
            sql.dispose()

    @contextmanager
    def open(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: bytes,
        write: bool,
    ) -> Iterator[SqlView]:
        sql = open_sql(source, key=key)
        try:
            with sql.transaction() if write else sql.reading() as conn:
                yield SqlView(sql, conn, sql.collect(conn, roots(matches)))
        finally:
            sql.dispose()

    def held(self, source: DataSource, plan: Plan) -> list[dict[str, Any]]:
        specs = {t.name: t for t in table_specs(source)}
        kept = []
        for name in sorted({op["table"] for op in plan if op.get("kept")}):
            hold = specs[name].hold
            assert hold is not None
            rows = sum(1 for op in plan if op["table"] == name)
            kept.append(
                {
                    "table": name,
                    "rows": rows,
                    "columns": list(hold.columns),
                    "ground": hold.ground,
                    "period": hold.period,
                }
            )
        return kept
