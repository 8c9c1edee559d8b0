"""One new row written at once, without the unit of work (issue 17).

``insert_now`` writes a new mapped object with one Core ``INSERT`` on the session's
connection and attaches it to the session as if it had just been loaded: the primary key
set, every column attribute loaded, and stored as a flush stores it (a column the object
does not set gets its default, or SQL NULL; ``None`` in a JSON column is JSON null, as in a
flush), nothing pending. The mapper's ``before_insert`` listeners run first, as in a flush
(``rights.models.casework`` keeps ``queue_due`` there), and the version counter starts where
the ORM starts it. A flush of one object costs several times the statement itself; the
public intake writes one request per right this way (docs/architecture.md, "Writing a new
request").

Objects already pending in the session are flushed first, as the flush this replaces
wrote them with the new row. Related rows are named by their foreign keys: an object with a
related object or a non-empty collection set is refused (its children would not be
inserted, nor a key taken from a related object).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Integer, insert, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.session import make_transient_to_detached

from rights.driversql import DriverResult, DriverStatement

T = TypeVar("T")
# One statement per class and set of columns, compiled once per dialect (rights.driversql).
_INSERTS: dict[tuple[type, tuple[str, ...], str], DriverStatement] = {}


def _statement(mapper: Mapper[Any], columns: tuple[str, ...], dialect: str) -> DriverStatement:
    key = (mapper.class_, columns, dialect)
    stmt = _INSERTS.get(key)
    if stmt is None:
        # SQLite: an integer key is the row id, which the driver gives back without RETURNING
        # (and so without a result to read). Elsewhere the new row's key comes back with the
        # INSERT where the database can (RETURNING), else as the driver's last row id.
        statement = insert(mapper.class_)
        if not (dialect == "sqlite" and _row_id(mapper)):
            statement = statement.return_defaults(*mapper.primary_key)
        stmt = _INSERTS.setdefault(key, DriverStatement(statement, columns))
    return stmt


def _row_id(mapper: Mapper[Any]) -> bool:
    """Whether the primary key is SQLite's row id: one column of type ``INTEGER`` exactly
    (a ``BIGINT`` key is not the row id)."""
    keys = mapper.primary_key
    return len(keys) == 1 and type(keys[0].type) is Integer


_BY_DATABASE, _NULL = object(), object()  # a column the database fills; one left NULL
# Per mapper: each column attribute's key, its column's key, and what a row that does not
# set it gets (the column itself when it has a Python-side default). Read once per class
# instead of per row from the mapper's properties (issue 17).
_COLUMNS: dict[Mapper[Any], tuple[tuple[str, str, Any], ...]] = {}


def _columns(mapper: Mapper[Any]) -> tuple[tuple[str, str, Any], ...]:
    found = _COLUMNS.get(mapper)
    if found is None:
        entries = []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key or column.server_default is not None:
                made: Any = _BY_DATABASE
            elif column.default is not None:
                made = column
            else:
                made = _NULL
            entries.append((prop.key, column.key, made))
        found = _COLUMNS.setdefault(mapper, tuple(entries))
    return found


def _primary_key(result: DriverResult, mapper: Mapper[Any]) -> tuple[Any, ...]:
    if result.returns_rows:
        return tuple(result.one())
    if len(mapper.primary_key) != 1:
        raise ValueError("a composite primary key needs RETURNING")
    return (result.lastrowid,)


def _default(column: Any) -> Any:
    """What a flush writes for a column the object does not set."""
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps a plain callable to take a context
    raise ValueError(f"no Python-side default for {column}")  # a SQL expression or sequence


def insert_now(session: Session, obj: T) -> T:
    """INSERT ``obj`` (transient) now and make it persistent in ``session``; returns it."""
    mapper: Mapper[Any] = inspect(type(obj))
    state = inspect(obj)
    if state.key is not None or state.session_id is not None:
        raise ValueError("insert_now takes a new object that is not in a session")
    if any(state.dict.get(rel.key) for rel in mapper.relationships):
        raise ValueError("insert_now takes foreign keys, not related objects")
    session.flush()  # what the caller added before goes first, as in the flush this replaces
    conn = session.connection()
    mapper.dispatch.before_insert(mapper, conn, state)  # listeners get the object
    values: dict[str, Any] = {}
    unset: list[str] = []  # SQL NULL, as a flush leaves them
    given = state.dict
    for key, column_key, made in _columns(mapper):
        if key in given:
            values[column_key] = given[key]
        elif made is _BY_DATABASE:
            continue
        elif made is _NULL:
            unset.append(key)  # not None: a JSON column would store JSON null
        else:
            values[column_key] = _default(made)
            setattr(obj, key, values[column_key])
    version: Any = mapper.version_id_col
    if version is not None and values.get(version.key) is None:
        values[version.key] = 1  # the ORM's first version number
        setattr(obj, mapper.get_property_by_column(version).key, 1)
    stmt = _statement(mapper, tuple(values), conn.dialect.name)
    keys = _primary_key(stmt.execute(conn, values), mapper)
    for key_column, value in zip(mapper.primary_key, keys, strict=True):
        setattr(obj, mapper.get_property_by_column(key_column).key, value)
    for key in unset:
        state.dict[key] = None  # loaded as NULL, not expired (committed with the rest below)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def insert_values(session: Session, cls: type[T], values: Mapping[str, Any]) -> T:
    """A new ``cls`` row from ``values`` (column attributes by name), INSERTed now as
    ``insert_now`` does. The object is built as a loaded one is, its attributes set without
    attribute events (a row written at once has no history to track; the instrumented
    constructor cost more than the INSERT, issue 17). Its relationships are not loaded: the
    first access reads them."""
    mapper: Mapper[Any] = inspect(cls)
    unknown = set(values) - set(mapper.column_attrs.keys())
    if unknown:
        raise ValueError(f"not columns of {cls.__name__}: {sorted(unknown)}")
    obj: T = mapper.class_manager.new_instance()
    instance_state(obj).dict.update(values)
    return insert_now(session, obj)
