"""Finding a subject in one table of an SQL source by its identity columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.types import String, Text

from rights.identifiers import (
    normalise_customer_number,
    normalise_email,
    normalise_house_number,
    normalise_name,
    normalise_phone,
    normalise_postcode,
)
from rights.sources.mapping import TableSpec
from rights.sources.rows import Row
from rights.sources.subject import SubjectKeys

__all__ = ["find_in", "phone_variants"]


def phone_variants(e164: str) -> list[str]:
    """Spellings of a number as people type them, so the database can use an index."""
    variants = {e164, e164[1:], "00" + e164[1:]}
    if e164.startswith("+31"):
        national = "0" + e164[3:]
        variants |= {
            national,
            f"{national[:2]}-{national[2:]}",
            f"{national[:2]} {national[2:]}",
            f"{national[:3]}-{national[3:]}",
            f"{national[:4]}-{national[4:]}",
            f"+31 {e164[3:4]} {e164[4:]}",
            f"+31 (0){e164[3:]}",
        }
    return sorted(variants)


def _check(
    column: str, normalise: Callable[[str], str | None], wanted: set[str]
) -> Callable[[dict[str, Any]], bool]:
    """Confirm in Python what the database pre-selected: the normalised value is wanted."""

    def confirm(values: dict[str, Any]) -> bool:
        return normalise(str(values.get(column) or "")) in wanted

    return confirm


def find_in(
    conn: Connection, table: Table, spec: TableSpec, keys: SubjectKeys
) -> Iterator[tuple[Row, str]]:
    """Rows of one mapped table whose identity columns match the subject, with how.

    Each kind of identifier is one indexed query (an OR across columns would scan); what the
    database pre-selects is confirmed in Python on the normalised value.
    """
    ident = spec.identity
    queries: list[tuple[str, Any, Callable[[dict[str, Any]], bool]]] = []
    if "email" in ident and keys.emails:
        col = table.c[ident["email"]]
        wanted = set(keys.emails)
        queries.append(
            (
                "email",
                func.lower(func.trim(col)).in_(sorted(wanted)),
                _check(ident["email"], normalise_email, wanted),
            )
        )
    if "phone" in ident and keys.phones:
        col = table.c[ident["phone"]]
        variants = sorted({v for p in keys.phones for v in phone_variants(p)})
        phones = set(keys.phones)
        queries.append(
            (
                "phone",
                func.trim(col).in_(variants),
                _check(ident["phone"], normalise_phone, phones),
            )
        )
    if "customer_number" in ident and keys.customer_numbers:
        col = table.c[ident["customer_number"]]
        numbers = set(keys.customer_numbers)
        expr = func.upper(func.trim(col)) if isinstance(col.type, String | Text) else col
        queries.append(
            (
                "customer_number",
                expr.in_(sorted(numbers)),
                _check(ident["customer_number"], normalise_customer_number, numbers),
            )
        )
    if {"postcode", "house_number", "name"} <= set(ident) and keys.addresses:
        col = table.c[ident["postcode"]]
        postcodes = sorted({pc for _, pc, _ in keys.addresses})
        spaced = [f"{pc[:4]} {pc[4:]}" for pc in postcodes]
        addresses = set(keys.addresses)

        def same_address(v: dict[str, Any]) -> bool:
            key = (
                normalise_name(str(v.get(ident["name"]) or "")),
                normalise_postcode(str(v.get(ident["postcode"]) or "")) or "",
                normalise_house_number(str(v.get(ident["house_number"]) or "")) or "",
            )
            return key in addresses

        queries.append(
            (
                "address_name",
                func.upper(func.trim(col)).in_(postcodes + spaced),
                same_address,
            )
        )
    for how, condition, confirm in queries:
        for mapping in conn.execute(sa_select(table).where(condition)).mappings():
            values = dict(mapping)
            if confirm(values):
                yield Row(table.name, values[spec.primary_key], values), how
