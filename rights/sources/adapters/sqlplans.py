"""The operations of each change on an SQL source's rows, computed from its mapping: what
an erasure deletes or anonymises and what a retention hold keeps, what a restriction or a
rectification sets. No values of the subject are in a plan, only tables, keys and columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rights.errors import SourceError, ValidationFailed
from rights.models.source import SubjectMatch
from rights.sources.adapters.base import CategoryCopy
from rights.sources.mapping import TableSpec
from rights.sources.plans import Plan
from rights.sources.rows import Row
from rights.sources.sqlsource import SqlSource

__all__ = [
    "erase_plan",
    "personal_columns",
    "rectify_plan",
    "restrict_plan",
    "roots",
    "sql_categories",
]


def roots(matches: Sequence[SubjectMatch]) -> list[tuple[str, Any]]:
    """The matched rows as (table, primary key): where the linked rows are collected from."""
    return [(str(m.locator["table"]), m.locator["pk"]) for m in matches]


def _anonymised(sql: SqlSource, table: str, column: str) -> Any:
    if sql.column_nullable(table, column):
        return None
    if sql.column_is_text(table, column):
        return ""
    raise SourceError(
        "A column cannot be anonymised: it is required and not text.",
        code="cannot_anonymise",
        table=table,
        column=column,
    )


def personal_columns(spec: TableSpec) -> set[str]:
    cols = set(spec.columns) | set(spec.identity.values()) | set(spec.anonymise)
    cols.discard(spec.primary_key)
    if spec.link:
        cols.discard(spec.link.column)
    return cols


def erase_plan(sql: SqlSource, rows: list[Row]) -> Plan:
    plan: Plan = []
    held_parents: set[tuple[str, str]] = set()
    for row in rows:
        spec = sql.specs[row.table]
        if spec.hold is not None and spec.link is not None:
            held_parents.add((spec.link.table, repr(row.values[spec.link.column])))
    for row in rows:
        spec = sql.specs[row.table]
        if spec.hold is not None:
            cols = sorted(personal_columns(spec) - set(spec.hold.columns))
            plan.append(
                {
                    "op": "update",
                    "table": row.table,
                    "pk": row.pk,
                    "set": {c: _anonymised(sql, row.table, c) for c in cols},
                    "kept": sorted(spec.hold.columns),
                }
            )
        elif spec.erasure == "delete":
            referenced = {
                repr(row.values[c.link.references])
                for c in sql.specs.values()
                if c.link is not None and c.link.table == row.table
            }
            if any((row.table, r) in held_parents for r in referenced):
                raise SourceError(
                    "A table is deleted while a retention hold keeps rows linked to it; "
                    "map it with erasure = anonymise.",
                    code="hold_needs_parent",
                    table=row.table,
                )
            plan.append({"op": "delete", "table": row.table, "pk": row.pk})
        else:
            plan.append(
                {
                    "op": "update",
                    "table": row.table,
                    "pk": row.pk,
                    "set": {c: _anonymised(sql, row.table, c) for c in spec.anonymise},
                }
            )
    return plan


def rectify_plan(params: Mapping[str, Any], sql: SqlSource, rows: list[Row]) -> Plan:
    table, column = params.get("table"), params.get("column")
    spec = sql.specs.get(str(table))
    if spec is None or column not in personal_columns(spec):
        raise ValidationFailed("Choose a mapped table and column to rectify.", code="bad_rectify")
    return [
        {"op": "update", "table": row.table, "pk": row.pk, "set": {column: params.get("value", "")}}
        for row in rows
        if row.table == table
    ]


def restrict_plan(sql: SqlSource, rows: list[Row], value: bool) -> Plan:
    """Set (or clear) each mapped table's ``restrict_column``; a mapping without one is
    restricted by hand."""
    if not any(spec.restrict_column for spec in sql.specs.values()):
        raise ValidationFailed(
            "The mapping has no restrict_column; restrict this source by hand.",
            code="no_restrict_column",
        )
    plan = []
    for row in rows:
        spec = sql.specs[row.table]
        if spec.restrict_column:
            plan.append(
                {
                    "op": "update",
                    "table": row.table,
                    "pk": row.pk,
                    "set": {spec.restrict_column: value},
                }
            )
    return plan


def sql_categories(sql: SqlSource, rows: list[Row]) -> list[CategoryCopy]:
    """The rows' mapped columns grouped by (table, category)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for spec in sql.specs.values():
        for column, category in spec.columns.items():
            groups.setdefault((spec.name, category), []).append(column)
    out = []
    for (table, category), columns in groups.items():
        records = tuple({c: r.values.get(c) for c in columns} for r in rows if r.table == table)
        if records:
            out.append(
                CategoryCopy(
                    f"{table}.{category}", f"{category} ({table})", tuple(columns), records
                )
            )
    return out
