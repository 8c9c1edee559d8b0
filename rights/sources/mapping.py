"""The mapping of an SQL source (the ``[[tables]]`` of its definition): tables, identity
columns, categories, links between tables, erasure strategy and retention holds, validated.

Also the small checks every part of a definition uses (:func:`definition_error` and friends).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rights.errors import ValidationFailed
from rights.models.source import DataSource

__all__ = [
    "IDENTITY_ROLES",
    "Hold",
    "Link",
    "TableSpec",
    "check_links",
    "definition_error",
    "parse_table",
    "parse_tables",
    "sql_name",
    "table_specs",
    "text_list",
    "text_value",
]

IDENTITY_ROLES = frozenset(
    {"email", "phone", "customer_number", "postcode", "house_number", "name"}
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Hold:
    """A retention hold: these columns stay after erasure, for this ground and period."""

    columns: tuple[str, ...]
    ground: str
    period: str


@dataclass(frozen=True)
class Link:
    column: str
    table: str
    references: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    primary_key: str
    identity: Mapping[str, str] = field(default_factory=dict)  # role -> column
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> category
    erasure: str = "delete"
    anonymise: tuple[str, ...] = ()
    link: Link | None = None
    hold: Hold | None = None
    restrict_column: str | None = None

    def all_columns(self) -> set[str]:
        names = {self.primary_key, *self.identity.values(), *self.columns, *self.anonymise}
        if self.link:
            names.add(self.link.column)
        if self.hold:
            names.update(self.hold.columns)
        if self.restrict_column:
            names.add(self.restrict_column)
        return names

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "primary_key": self.primary_key,
            "identity": dict(self.identity),
            "columns": dict(self.columns),
            "erasure": self.erasure,
            "anonymise": list(self.anonymise),
        }
        if self.link:
            data["link"] = {
                "column": self.link.column,
                "table": self.link.table,
                "references": self.link.references,
            }
        if self.hold:
            data["hold"] = {
                "columns": list(self.hold.columns),
                "ground": self.hold.ground,
                "period": self.hold.period,
            }
        if self.restrict_column:
            data["restrict_column"] = self.restrict_column
        return data


def definition_error(message: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, code="bad_source_definition", **params)


def text_value(
    data: Mapping[str, Any], key: str, *, required: bool = False, where: str = ""
) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise definition_error(f"{where}{key} must be text", key=key)
    if required and not value.strip():
        raise definition_error(f"{where}{key} is required", key=key)
    return value.strip()


def text_list(data: Mapping[str, Any], key: str, *, where: str = "") -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise definition_error(f"{where}{key} must be a list of texts", key=key)
    return tuple(v.strip() for v in value if v.strip())


def sql_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise definition_error(f"{what} is not a valid table or column name", name=str(value)[:80])
    return value


def parse_table(data: Any, index: int) -> TableSpec:
    where = f"tables[{index}]."
    if not isinstance(data, dict):
        raise definition_error(f"{where} must be a table")
    name = sql_name(data.get("name"), f"{where}name")
    pk = sql_name(data.get("primary_key", "id"), f"{where}primary_key")
    identity = data.get("identity", {})
    if not isinstance(identity, dict):
        raise definition_error(f"{where}identity must be a table")
    for role, column in identity.items():
        if role not in IDENTITY_ROLES:
            raise definition_error(f"{where}identity has an unknown role {role!r}", role=role)
        sql_name(column, f"{where}identity.{role}")
    if ("postcode" in identity) != ("house_number" in identity):
        raise definition_error(f"{where}identity needs postcode and house_number together")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise definition_error(f"{where}columns must map column names to categories")
    for column in columns:
        sql_name(column, f"{where}columns")
    erasure = data.get("erasure", "delete")
    if erasure not in ("delete", "anonymise"):
        raise definition_error(f"{where}erasure must be delete or anonymise", erasure=str(erasure))
    anonymise = tuple(sql_name(c, f"{where}anonymise") for c in text_list(data, "anonymise"))
    if erasure == "anonymise" and not anonymise:
        raise definition_error(f"{where}anonymise must name the columns to anonymise")
    if pk in anonymise:
        raise definition_error(f"{where}the primary key cannot be anonymised")
    link = None
    if "link" in data:
        raw = data["link"]
        if not isinstance(raw, dict):
            raise definition_error(f"{where}link must be a table")
        link = Link(
            column=sql_name(raw.get("column"), f"{where}link.column"),
            table=sql_name(raw.get("table"), f"{where}link.table"),
            references=sql_name(raw.get("references", "id"), f"{where}link.references"),
        )
    if not identity and link is None:
        raise definition_error(f"{where}needs identity columns or a link to a table that has them")
    hold = None
    if "hold" in data:
        raw = data["hold"]
        if not isinstance(raw, dict):
            raise definition_error(f"{where}hold must be a table")
        held = tuple(sql_name(c, f"{where}hold.columns") for c in text_list(raw, "columns"))
        if not held:
            raise definition_error(f"{where}hold.columns must name the columns kept")
        hold = Hold(
            columns=held,
            ground=text_value(raw, "ground", required=True, where=f"{where}hold."),
            period=text_value(raw, "period", required=True, where=f"{where}hold."),
        )
    restrict = data.get("restrict_column")
    return TableSpec(
        name=name,
        primary_key=pk,
        identity=dict(identity),
        columns=dict(columns),
        erasure=erasure,
        anonymise=anonymise,
        link=link,
        hold=hold,
        restrict_column=sql_name(restrict, f"{where}restrict_column") if restrict else None,
    )


def check_links(tables: tuple[TableSpec, ...]) -> None:
    by_name = {t.name: t for t in tables}
    if len(by_name) != len(tables):
        raise definition_error("a table is mapped twice")
    for table in tables:
        seen = {table.name}
        current = table
        while current.link is not None:
            parent = by_name.get(current.link.table)
            if parent is None:
                raise definition_error(
                    f"table {current.name} links to unmapped table {current.link.table}",
                    table=current.name,
                )
            if parent.name in seen:
                raise definition_error("tables link to each other in a circle", table=table.name)
            seen.add(parent.name)
            current = parent
        if not current.identity:
            raise definition_error(
                f"table {table.name} leads to no identity columns", table=table.name
            )


def parse_tables(raw: list[Any]) -> tuple[TableSpec, ...]:
    """Parse and check the ``[[tables]]`` of an SQL source (links lead to identity columns)."""
    tables = tuple(parse_table(t, i) for i, t in enumerate(raw))
    check_links(tables)
    return tables


def table_specs(source: DataSource) -> tuple[TableSpec, ...]:
    """The stored mapping of an SQL source, validated again (it may predate a rule)."""
    return parse_tables(source.mapping.get("tables", []))
