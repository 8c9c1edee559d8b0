"""Uploaded data files (databestanden) as a source: their rows are :class:`DataRecord`s in
the portal's own database, found through indexed normalised identifiers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from rights.errors import ValidationFailed
from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import DataFileUpload, DataRecord, DataSource, SubjectMatch
from rights.sources.adapters.base import Before, CategoryCopy, Found, Hit
from rights.sources.plans import Op, Plan, changed_since_preview
from rights.sources.subject import SubjectKeys

__all__ = ["FileAdapter", "FileView", "file_matches", "record_ids"]

_PROBE_COLUMNS = {
    "email": "email",
    "phone": "phone",
    "customer_number": "customer_number",
    "address_name": "address_key",
}


@lru_cache(maxsize=16)
def _probe_statement(kinds: tuple[str, ...]) -> TextClause:
    """A UNION ALL of one indexed probe per kind of identifier, built once per combination
    (a plain text statement: building and cache-keying an expression per look-up cost
    more than the look-up itself). Each hit carries its file's source, read by primary key
    for the few matched rows only, so the look-up is one round trip."""
    parts = [
        "SELECT id, file_id, address_key, name_key, "  # noqa: S608
        f"(SELECT source_id FROM data_file WHERE data_file.id = file_id), '{kind}' AS how"
        f" FROM data_record WHERE {_PROBE_COLUMNS[kind]} IN :{kind}"
        for kind in kinds
    ]
    return text(" UNION ALL ".join(parts)).bindparams(
        *(bindparam(kind, expanding=True) for kind in kinds)
    )


# The drivers' placeholders for positional parameters (sqlite3: qmark; psycopg: pyformat).
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@lru_cache(maxsize=64)
def _probe_sql(shape: tuple[tuple[str, int], ...], mark: str) -> str:
    """The statement of ``_probe_statement`` in the driver's own SQL, for ``shape``: each
    kind with its number of values (a look-up has one or two of each)."""
    return " UNION ALL ".join(
        "SELECT id, file_id, address_key, name_key, "  # noqa: S608
        f"(SELECT source_id FROM data_file WHERE data_file.id = file_id), '{kind}' AS how"
        f" FROM data_record WHERE {_PROBE_COLUMNS[kind]} IN ({', '.join([mark] * count)})"
        for kind, count in shape
    )


def file_matches(session: Session, source: DataSource, keys: SubjectKeys) -> list[Hit]:
    """Records of a file source that match the subject, in one round trip.

    An OR across columns would scan; a condition on ``file_id`` (or a join with the source's
    files) lets planners pick the file_id index and scan the whole file, so each probe
    stays on its identifier index and the source is checked in Python.
    """
    address_keys = {f"{pc}:{hn}": name for name, pc, hn in keys.addresses}
    values = {
        "email": list(keys.emails),
        "phone": list(keys.phones),
        "customer_number": list(keys.customer_numbers),
        "address_name": sorted(address_keys),
    }
    kinds = tuple(kind for kind, wanted in values.items() if wanted)
    if not kinds:
        return []
    found: dict[int, str] = {}
    connection = session.connection()
    mark = _MARKS.get(connection.dialect.paramstyle)
    rows: Iterable[Sequence[Any]]
    if mark is None:
        rows = connection.execute(_probe_statement(kinds), {k: values[k] for k in kinds})
    else:  # the driver's cursor: plain ints and strings need none of the result machinery
        shape = tuple((kind, len(values[kind])) for kind in kinds)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_probe_sql(shape, mark), [v for k in kinds for v in values[k]])
            rows = cursor.fetchall()
        finally:
            cursor.close()
    for record_id, _file_id, record_address, record_name, source_id, how in rows:
        if source_id != source.id:
            continue
        if how == "address_name" and record_name != address_keys.get(record_address or ""):
            continue  # same address, another name: not this subject
        found.setdefault(record_id, how)
    return [Hit({"record": rid}, f"record:{rid}", how) for rid, how in sorted(found.items())]


def record_ids(matches: Sequence[SubjectMatch]) -> list[int]:
    return [int(m.locator["record"]) for m in matches]


def _records(session: Session, matches: Sequence[SubjectMatch]) -> list[DataRecord]:
    return list(
        session.scalars(
            select(DataRecord).where(DataRecord.id.in_(record_ids(matches))).order_by(DataRecord.id)
        )
    )


class FileView:
    """The matched records; writes go to the portal's session (in a savepoint)."""

    def __init__(self, session: Session, records: list[DataRecord]) -> None:
        self.session = session
        self.records = records
        self._before: Before = {}

    def erase(self) -> Plan:
        return [{"op": "delete", "table": "data_record", "pk": r.id} for r in self.records]

    def restrict(self, on: bool) -> Plan:
        return [
            {"op": "update", "table": "data_record", "pk": r.id, "set": {"restricted": on}}
            for r in self.records
            if bool(r.restricted) is not on
        ]

    def rectify(self, params: Mapping[str, Any]) -> Plan:
        column = str(params.get("column", ""))
        plan = []
        for r in self.records:
            upload = self.session.get(DataFileUpload, r.file_id)
            if upload is None or column not in upload.columns:
                raise ValidationFailed(
                    "Choose a column of the file to rectify.", code="bad_rectify"
                )
            plan.append(
                {
                    "op": "update",
                    "table": "data_record",
                    "pk": r.id,
                    "set": {column: params.get("value", "")},
                }
            )
        return plan

    def write_order(self, plan: Plan) -> Plan:
        return list(plan)

    def write(self, op: Op) -> None:
        rec = self.session.get(DataRecord, op["pk"])
        if rec is None:
            raise changed_since_preview()
        self._before[("data_record", repr(op["pk"]))] = {**rec.values, "restricted": rec.restricted}
        if op["op"] == "delete":
            self.session.delete(rec)
        elif "restricted" in op["set"]:
            rec.restricted = bool(op["set"]["restricted"])
        else:
            rec.values = {**rec.values, **op["set"]}

    def before(self) -> Before:
        return dict(self._before)


class FileAdapter:
    def discover(
        self,
        session: Session,
        request: RightsRequest,
        source: DataSource,
        keys: SubjectKeys,
        *,
        key: SourceKeys | bytes,
        now: datetime,
    ) -> Found:
        return Found(hits=file_matches(session, source, keys))

    def values(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
    ) -> dict[int, dict[str, Any]]:
        values: dict[int, dict[str, Any]] = {}
        for match in matches:
            rec = session.get(DataRecord, int(match.locator["record"]))
            if rec is not None:
                values[match.id] = dict(rec.values)
        return values

    def categories(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
    ) -> list[CategoryCopy]:
        """One category per uploaded file, with the file's own columns."""
        by_file: dict[int, list[DataRecord]] = {}
        for rec in _records(session, matches):
            by_file.setdefault(rec.file_id, []).append(rec)
        categories = []
        for file_id, file_recs in by_file.items():
            upload = session.get(DataFileUpload, file_id)
            assert upload is not None
            categories.append(
                CategoryCopy(
                    f"file-{file_id}",
                    upload.filename,
                    tuple(upload.columns),
                    tuple(dict(r.values) for r in file_recs),
                )
            )
        return categories

    @contextmanager
    def open(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: SourceKeys | bytes,
        write: bool,
    ) -> Iterator[FileView]:
        view = FileView(session, _records(session, matches))
        if not write:
            yield view
            return
        savepoint = session.begin_nested()
        try:
            yield view
            session.flush()
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            raise

    def held(self, source: DataSource, plan: Plan) -> list[dict[str, Any]]:
        return []
