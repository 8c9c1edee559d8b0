"""Loading a row by an id that came from outside (a URL or a form): anything that is not a
positive id fitting a signed 63-bit database integer, an unknown row, or a row that belongs
to another case is a 404, never a 500 (an OverflowError from the driver)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from sqlalchemy import BigInteger, inspect
from werkzeug.routing import IntegerConverter

from portal.db import get_session

T = TypeVar("T")

MAX_ID = 2**63 - 1  # a BIGINT column
MAX_INT_ID = 2**31 - 1  # an INTEGER column: PostgreSQL refuses more (SQLite would not)


def parse_id(raw: object, max_id: int = MAX_ID) -> int | None:
    """A positive database id up to ``max_id`` from a URL or form value, or None (never an
    overflow)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= max_id else None
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= max_id else None


def id_limit(model: type[Any]) -> int:
    """The largest id the model's primary key column can hold."""
    (column,) = inspect(model).primary_key
    return MAX_ID if isinstance(column.type, BigInteger) else MAX_INT_ID


def get_or_404(model: type[T], raw_id: object, **owner: Any) -> T:
    """The ``model`` row with this id; 404 if the id is malformed or out of range, the row
    does not exist, or an ``owner`` attribute (``request_id=r.id``) does not match."""
    row_id = parse_id(raw_id, id_limit(model))
    if row_id is None:
        abort(404)
    row = get_session().get(model, row_id)
    if row is None or any(getattr(row, name) != value for name, value in owner.items()):
        abort(404)
    return row


class IntegerIdConverter(IntegerConverter):
    """``<int:...>`` in every URL rule: only ids from 1 to 2**63 - 1 match, so a longer
    number is a 404 before any view runs (even in views that load without ``get_or_404``)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
