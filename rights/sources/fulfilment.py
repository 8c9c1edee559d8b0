"""Discovery of a subject's data in every source, and the actions that fulfil a request.

Discovery looks for the request's identifiers in every active source and stores candidate
matches with how each matched; the officer confirms or rejects them. Actions work on the
confirmed matches only. Each action is first *prepared* (a dry run whose plan is stored),
then *executed*: the plan is computed again in the execution's transaction and must equal
the stored one, so the preview is exactly what happens. One source per action, so one
transaction per source. Audit events carry keyed hashes of the values before and after,
never the values themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.errors import Conflict, NotFound, PermissionDenied, SourceError, ValidationFailed
from rights.identifiers import (
    identifier_hash,
    normalise_customer_number,
    normalise_email,
    normalise_house_number,
    normalise_name,
    normalise_phone,
    normalise_postcode,
)
from rights.keys import SourceKeys
from rights.lifecycle import FINAL_STATES
from rights.models.request import IdentityStatus, RightsRequest
from rights.models.source import (
    ActionKind,
    ActionStatus,
    DataFileUpload,
    DataRecord,
    DataSource,
    MatchStatus,
    SourceAction,
    SourceKind,
    SourceTask,
    SubjectMatch,
    SuppressionEntry,
    TaskStatus,
)
from rights.outbox import queue_mail
from rights.sources.registry import TableSpec, source_url, table_specs
from rights.sources.sqlsource import Row, SqlSource, SubjectKeys

__all__ = [
    "CategoryCopy",
    "DiscoveryReport",
    "ErasureSummary",
    "SourceCopy",
    "complete_task",
    "decide_match",
    "derive_hash_key",
    "discover",
    "erasure_summary",
    "execute_action",
    "export_copies",
    "prepare_action",
    "subject_keys",
]

_POSTCODE_IN_TEXT = re.compile(r"\b([1-9][0-9]{3})\s?([A-Za-z]{2})\b")
_HOUSE_NUMBER_IN_TEXT = re.compile(r"\b([0-9]{1,5})\s?(?:-\s?)?([A-Za-z]{1,2}\b|[0-9]{1,3}\b)?")
SQL_TIMEOUT_SECONDS = 10


def derive_hash_key(encryption_key: bytes) -> bytes:
    """The key for identifier hashes, derived from the portal's encryption key."""
    return hmac.new(encryption_key, b"dsr-portal/identifier-hash/v1", hashlib.sha256).digest()


def _vhash(hash_key: bytes, value: Any) -> str | None:
    if value is None or value == "":
        return None
    return identifier_hash(hash_key, "value", str(value))


# -- identifiers -----------------------------------------------------------------------


def _address_from_text(text: str) -> tuple[str, str] | None:
    """Postcode and house number from a free-text Dutch address ("Dorpsstraat 1, 1234 AB")."""
    match = _POSTCODE_IN_TEXT.search(text)
    if not match:
        return None
    postcode = normalise_postcode(match.group(0))
    before = text[: match.start()]
    numbers = list(_HOUSE_NUMBER_IN_TEXT.finditer(before))
    if not numbers or postcode is None:
        return None
    house = normalise_house_number(numbers[-1].group(0))
    return (postcode, house) if house else None


def subject_keys(request: RightsRequest) -> SubjectKeys:
    """The request's identifiers, normalised; ``verified`` says which ones were verified."""
    verified: set[str] = set()
    email = normalise_email(request.requester_email or "")
    if email and (
        request.email_verified_at is not None
        or request.identity_status is IdentityStatus.VERIFIED
        or request.identity_status is IdentityStatus.EMAIL_CONFIRMED
    ):
        verified.add("email")
    if request.identity_status is IdentityStatus.VERIFIED:
        verified |= {"phone", "customer_number", "address_name"}
    phone = normalise_phone(request.requester_phone or "")
    number = normalise_customer_number(request.requester_customer_number or "")
    addresses: tuple[tuple[str, str, str], ...] = ()
    name = normalise_name(request.requester_name or "")
    parsed = _address_from_text(request.requester_address or "")
    if parsed and name:
        addresses = ((name, parsed[0], parsed[1]),)
    return SubjectKeys(
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        customer_numbers=(number,) if number else (),
        addresses=addresses,
        verified=frozenset(verified),
    )


# -- discovery -------------------------------------------------------------------------


@dataclass
class DiscoveryReport:
    found: int = 0
    new: int = 0
    tasks: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source slug, error code)


def open_sql(
    source: DataSource, *, key: SourceKeys | bytes, timeout: int = SQL_TIMEOUT_SECONDS
) -> SqlSource:
    return SqlSource(
        source_url(source, key=SourceKeys.of(key).connector),
        table_specs(source),
        slug=source.slug,
        timeout_seconds=timeout,
    )


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
    more than the look-up itself)."""
    parts = [
        f"SELECT id, file_id, address_key, name_key, '{kind}' AS how FROM data_record"  # noqa: S608
        f" WHERE {_PROBE_COLUMNS[kind]} IN :{kind}"
        for kind in kinds
    ]
    return text(" UNION ALL ".join(parts)).bindparams(
        *(bindparam(kind, expanding=True) for kind in kinds)
    )


_SOURCE_FILES = text("SELECT id FROM data_file WHERE source_id = :source_id")


def _file_matches(
    session: Session, source: DataSource, keys: SubjectKeys
) -> list[tuple[dict[str, Any], str, str]]:
    """Records of a file source that match the subject, in one round trip.

    An OR across columns would scan; a condition on ``file_id`` would make planners pick
    the file_id index and scan the whole file, so the source is checked in Python.
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
    connection = session.connection()
    wanted_files = set(connection.scalars(_SOURCE_FILES, {"source_id": source.id}))
    if not wanted_files:
        return []
    found: dict[int, str] = {}
    rows = connection.execute(_probe_statement(kinds), {k: values[k] for k in kinds})
    for record_id, file_id, record_address, record_name, how in rows:
        if file_id not in wanted_files:
            continue
        if how == "address_name" and record_name != address_keys.get(record_address or ""):
            continue  # same address, another name: not this subject
        found.setdefault(record_id, how)
    return [({"record": rid}, f"record:{rid}", how) for rid, how in sorted(found.items())]


def discover(
    session: Session,
    request: RightsRequest,
    *,
    actor: Actor,
    now: datetime,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None = None,
) -> DiscoveryReport:
    """Search every active SQL and file source; store new candidates (flushes, audits).

    A source that fails (unreachable, timeout, wrong mapping) is reported in
    ``errors`` and skipped; the other sources are still searched.
    """
    keys = subject_keys(request)
    report = DiscoveryReport()
    existing = {
        (m.source_id, m.locator_key)
        for m in session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
    }
    sources = session.scalars(
        select(DataSource).where(DataSource.active.is_(True)).order_by(DataSource.id)
    ).all()
    opener = open_source or (lambda s: open_sql(s, key=key))
    for source in sources:
        hits: list[tuple[dict[str, Any], str, str]] = []
        if source.kind is SourceKind.MANUAL:
            report.tasks += _manual_task(session, request, source, now=now)
        elif source.kind is SourceKind.FILE:
            hits = _file_matches(session, source, keys)
        elif source.kind is SourceKind.SQL:
            try:
                sql = opener(source)
                try:
                    for row, how in sql.find(keys):
                        hits.append(
                            ({"table": row.table, "pk": row.pk}, f"{row.table}:{row.pk!r}", how)
                        )
                finally:
                    sql.dispose()
            except SourceError as exc:
                report.errors.append((source.slug, exc.code))
                continue
        for locator, locator_key, how in hits:
            report.found += 1
            if (source.id, locator_key) in existing:
                continue
            session.add(
                SubjectMatch(
                    request_id=request.id,
                    source_id=source.id,
                    locator=locator,
                    locator_key=locator_key[:300],
                    matched_by=how,
                    identifier_verified=how in keys.verified,
                    status=MatchStatus.CANDIDATE,
                    found_at=now,
                )
            )
            existing.add((source.id, locator_key))
            report.new += 1
    session.flush()
    record(
        session,
        "sources.discovered",
        actor=actor,
        now=now,
        request_id=request.id,
        data={
            "found": report.found,
            "new": report.new,
            "tasks": report.tasks,
            "errors": report.errors,
        },
    )
    return report


def _manual_task(
    session: Session, request: RightsRequest, source: DataSource, *, now: datetime
) -> int:
    """One search task per manual source and request, mailed to its named person."""
    exists = session.scalar(
        select(SourceTask.id).where(
            SourceTask.request_id == request.id,
            SourceTask.source_id == source.id,
            SourceTask.kind == "manual_search",
        )
    )
    if exists is not None:
        return 0
    manual = source.mapping
    due = (now + timedelta(days=int(manual.get("due_days", 7)))).date()
    task = SourceTask(
        request_id=request.id,
        source_id=source.id,
        kind="manual_search",
        action=request.right.value,
        assignee_name=str(manual.get("assignee_name", "")),
        assignee_email=str(manual.get("assignee_email", "")),
        due=due,
        status=TaskStatus.OPEN,
        created_at=now,
    )
    session.add(task)
    session.flush()
    if task.assignee_email:
        queue_mail(
            session,
            to=task.assignee_email,
            template="manual_task",
            language="nl",
            now=now,
            request_id=request.id,
            context={"task_id": task.id, "source": source.name, "due": due.isoformat()},
        )
        task.status = TaskStatus.SENT
        task.sent_at = now
    return 1


def complete_task(
    session: Session, task: SourceTask, *, answer: str, actor: Actor, now: datetime
) -> None:
    """Record what the person found or did (a manual search), or the recipient's confirmation."""
    if task.status is TaskStatus.DONE:
        raise Conflict("The task is already done.", code="task_done")
    answer = answer.strip()
    if not answer or len(answer) > 10_000:
        raise ValidationFailed("Describe what was found or done.", code="answer_required")
    task.answer = answer
    task.status = TaskStatus.DONE
    task.done_at = now
    task.done_by_id = actor.id
    session.flush()
    record(
        session,
        "source_task.done",
        actor=actor,
        now=now,
        request_id=task.request_id,
        object_type="source_task",
        object_id=task.id,
        data={"kind": task.kind, "source_id": task.source_id},
    )


def match_values(
    session: Session,
    matches: Sequence[SubjectMatch],
    *,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None = None,
) -> tuple[dict[int, dict[str, Any]], list[tuple[str, str]]]:
    """The values of each matched record or row, so the officer can judge the match.

    Returns ``{match id: {column: value}}`` and the sources that failed (slug, code).
    """
    values: dict[int, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    sql_matches: dict[int, list[SubjectMatch]] = {}
    for match in matches:
        if "record" in match.locator:
            rec = session.get(DataRecord, int(match.locator["record"]))
            if rec is not None:
                values[match.id] = dict(rec.values)
        else:
            sql_matches.setdefault(match.source_id, []).append(match)
    for source_id, group in sql_matches.items():
        source = session.get(DataSource, source_id)
        if source is None:
            continue
        try:
            sql = (open_source or (lambda s: open_sql(s, key=key)))(source)
            try:
                rows = {(r.table, repr(r.pk)): r.values for r in sql.read(_roots(group))}
            finally:
                sql.dispose()
        except SourceError as exc:
            errors.append((source.slug, exc.code))
            continue
        for match in group:
            row = rows.get((str(match.locator["table"]), repr(match.locator["pk"])))
            if row is not None:
                values[match.id] = row
    return values, errors


def decide_match(
    session: Session, match: SubjectMatch, *, confirm: bool, actor: Actor, now: datetime
) -> None:
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    match.decided_by_id = actor.id
    match.decided_at = now
    session.flush()
    record(
        session,
        "sources.match_confirmed" if confirm else "sources.match_rejected",
        actor=actor,
        now=now,
        request_id=match.request_id,
        object_type="subject_match",
        object_id=match.id,
        data={"source_id": match.source_id, "matched_by": match.matched_by},
    )


def confirmed_matches(
    session: Session, request: RightsRequest, source: DataSource | None = None
) -> list[SubjectMatch]:
    stmt = select(SubjectMatch).where(
        SubjectMatch.request_id == request.id, SubjectMatch.status == MatchStatus.CONFIRMED
    )
    if source is not None:
        stmt = stmt.where(SubjectMatch.source_id == source.id)
    return list(session.scalars(stmt.order_by(SubjectMatch.id)))


def controllers_found(session: Session, request: RightsRequest) -> list[int]:
    """Organisations whose sources hold confirmed matches (more than one: offer a split)."""
    ids = {m.source.organisation_id for m in confirmed_matches(session, request)}
    return sorted(ids)


# -- plans -----------------------------------------------------------------------------


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


def _personal_columns(spec: TableSpec) -> set[str]:
    cols = set(spec.columns) | set(spec.identity.values()) | set(spec.anonymise)
    cols.discard(spec.primary_key)
    if spec.link:
        cols.discard(spec.link.column)
    return cols


def _sql_erase_plan(sql: SqlSource, rows: list[Row]) -> list[dict[str, Any]]:
    plan: list[dict[str, Any]] = []
    held_parents: set[tuple[str, str]] = set()
    for row in rows:
        spec = sql.specs[row.table]
        if spec.hold is not None and spec.link is not None:
            held_parents.add((spec.link.table, repr(row.values[spec.link.column])))
    for row in rows:
        spec = sql.specs[row.table]
        if spec.hold is not None:
            cols = sorted(_personal_columns(spec) - set(spec.hold.columns))
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


def _sql_rectify_plan(
    params: dict[str, Any], sql: SqlSource, rows: list[Row]
) -> list[dict[str, Any]]:
    table, column = params.get("table"), params.get("column")
    spec = sql.specs.get(str(table))
    if spec is None or column not in _personal_columns(spec):
        raise ValidationFailed("Choose a mapped table and column to rectify.", code="bad_rectify")
    return [
        {"op": "update", "table": row.table, "pk": row.pk, "set": {column: params.get("value", "")}}
        for row in rows
        if row.table == table
    ]


def _sql_restrict_plan(sql: SqlSource, rows: list[Row], value: bool = True) -> list[dict[str, Any]]:
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


def _restrictable(
    plan_for: Callable[[SqlSource, list[Row]], list[dict[str, Any]]],
) -> Callable[[SqlSource, list[Row]], list[dict[str, Any]]]:
    def plan(sql: SqlSource, rows: list[Row]) -> list[dict[str, Any]]:
        if not any(spec.restrict_column for spec in sql.specs.values()):
            raise ValidationFailed(
                "The mapping has no restrict_column; restrict this source by hand.",
                code="no_restrict_column",
            )
        return plan_for(sql, rows)

    return plan


def _sql_plan(
    kind: ActionKind, params: dict[str, Any]
) -> Callable[[SqlSource, list[Row]], list[dict[str, Any]]]:
    if kind is ActionKind.ERASE:
        return _sql_erase_plan
    if kind is ActionKind.RESTRICT:
        return _restrictable(_sql_restrict_plan)
    if kind is ActionKind.LIFT_RESTRICTION:
        return _restrictable(lambda sql, rows: _sql_restrict_plan(sql, rows, False))
    if kind is ActionKind.RECTIFY:
        return lambda sql, rows: _sql_rectify_plan(params, sql, rows)
    raise ValidationFailed("This action does not change an SQL source.", code="bad_action")


def _roots(matches: Sequence[SubjectMatch]) -> list[tuple[str, Any]]:
    return [(str(m.locator["table"]), m.locator["pk"]) for m in matches]


def _record_ids(matches: Sequence[SubjectMatch]) -> list[int]:
    return [int(m.locator["record"]) for m in matches]


def _file_plan(
    session: Session, kind: ActionKind, params: dict[str, Any], matches: Sequence[SubjectMatch]
) -> list[dict[str, Any]]:
    ids = _record_ids(matches)
    records = session.scalars(
        select(DataRecord).where(DataRecord.id.in_(ids)).order_by(DataRecord.id)
    ).all()
    if kind is ActionKind.ERASE:
        return [{"op": "delete", "table": "data_record", "pk": r.id} for r in records]
    if kind is ActionKind.RESTRICT:
        return [
            {"op": "update", "table": "data_record", "pk": r.id, "set": {"restricted": True}}
            for r in records
            if not r.restricted
        ]
    if kind is ActionKind.LIFT_RESTRICTION:
        return [
            {"op": "update", "table": "data_record", "pk": r.id, "set": {"restricted": False}}
            for r in records
            if r.restricted
        ]
    if kind is ActionKind.RECTIFY:
        column = str(params.get("column", ""))
        plan = []
        for r in records:
            upload = session.get(DataFileUpload, r.file_id)
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
    raise ValidationFailed("This action does not change a data file.", code="bad_action")


def _suppress_plan(
    session: Session, request: RightsRequest, hash_key: bytes
) -> list[dict[str, Any]]:
    keys = subject_keys(request)
    values = [("email", v) for v in keys.emails] + [("phone", v) for v in keys.phones]
    values += [("customer_number", v) for v in keys.customer_numbers]
    for match in confirmed_matches(session, request):
        if "record" in match.locator:
            rec = session.get(DataRecord, int(match.locator["record"]))
            if rec is not None:
                values += [
                    (k, getattr(rec, k))
                    for k in ("email", "phone", "customer_number")
                    if getattr(rec, k)
                ]
    orgs = {m.source.organisation_id for m in confirmed_matches(session, request)}
    if request.organisation_id is not None:
        orgs.add(request.organisation_id)
    hashes = sorted({identifier_hash(hash_key, kind, value) for kind, value in values})
    if not orgs or not hashes:
        raise ValidationFailed("There is nothing to suppress.", code="nothing_to_suppress")
    existing: set[tuple[int, str]] = {
        (int(org_id), str(h))
        for org_id, h in session.execute(
            select(SuppressionEntry.organisation_id, SuppressionEntry.identifier_hash).where(
                SuppressionEntry.organisation_id.in_(orgs)
            )
        )
    }
    return [
        {"op": "suppress", "organisation_id": org, "hash": h}
        for org in sorted(orgs)
        for h in hashes
        if (org, h) not in existing
    ]


def _notify_plan(session: Session, request: RightsRequest) -> list[dict[str, Any]]:
    done = {
        a.source_id: a.kind
        for a in session.scalars(
            select(SourceAction).where(
                SourceAction.request_id == request.id,
                SourceAction.status == ActionStatus.EXECUTED,
                SourceAction.kind.in_([ActionKind.ERASE, ActionKind.RECTIFY, ActionKind.RESTRICT]),
            )
        )
    }
    plan = []
    for source_id, kind in sorted(done.items(), key=lambda kv: kv[0] or 0):
        source = session.get(DataSource, source_id) if source_id else None
        if source is None:
            continue
        for recipient in source.recipients:
            plan.append(
                {
                    "op": "notify",
                    "source_id": source.id,
                    "action": kind.value,
                    "recipient": recipient["name"],
                    "contact_email": recipient.get("contact_email", ""),
                }
            )
    if not plan:
        raise ValidationFailed(
            "No executed rectification, erasure or restriction has recipients to notify.",
            code="nothing_to_notify",
        )
    return plan


# -- prepare and execute ---------------------------------------------------------------


def _check_open(request: RightsRequest) -> None:
    if request.state in FINAL_STATES:
        raise Conflict("The request is closed.", code="request_closed")


def _plan(
    session: Session,
    request: RightsRequest,
    source: DataSource | None,
    kind: ActionKind,
    params: dict[str, Any],
    *,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None,
) -> list[dict[str, Any]]:
    if kind is ActionKind.SUPPRESS:
        return _suppress_plan(session, request, SourceKeys.of(key).identifier_hash)
    if kind is ActionKind.NOTIFY:
        return _notify_plan(session, request)
    if source is None:
        raise ValidationFailed("Choose a source.", code="no_source")
    matches = confirmed_matches(session, request, source)
    if not matches:
        raise ValidationFailed("No confirmed matches in this source.", code="no_matches")
    if kind is ActionKind.EXPORT:
        return _export_plan(session, request, source, key=key, open_source=open_source)
    if source.kind is SourceKind.FILE:
        return _file_plan(session, kind, params, matches)
    if source.kind is SourceKind.SQL:
        sql = (open_source or (lambda s: open_sql(s, key=key)))(source)
        try:
            plan_for = _sql_plan(kind, params)
            plan, _ = sql.preview(_roots(matches), lambda rows: plan_for(sql, rows))
            return plan
        finally:
            sql.dispose()
    raise ValidationFailed("A manual source is handled by its task.", code="manual_source")


def prepare_action(
    session: Session,
    request: RightsRequest,
    source: DataSource | None,
    kind: ActionKind,
    *,
    actor: Actor,
    now: datetime,
    key: SourceKeys | bytes,
    params: dict[str, Any] | None = None,
    open_source: Callable[[DataSource], SqlSource] | None = None,
) -> SourceAction:
    """The dry run: compute and store the plan (flushes, audits). Nothing changes in sources."""
    _check_open(request)
    params = dict(params or {})
    plan = _plan(session, request, source, kind, params, key=key, open_source=open_source)
    action = SourceAction(
        request_id=request.id,
        source_id=source.id if source else None,
        kind=kind,
        status=ActionStatus.PREPARED,
        params=params,
        plan=plan,
        result={},
        prepared_by_id=actor.id,
        prepared_at=now,
    )
    session.add(action)
    session.flush()
    record(
        session,
        "source_action.prepared",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="source_action",
        object_id=action.id,
        data={"kind": kind.value, "source_id": action.source_id, "operations": len(plan)},
    )
    return action


def _audit_ops(
    hash_key: bytes, plan: list[dict[str, Any]], before: dict[tuple[str, str], dict[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for op in plan:
        entry: dict[str, Any] = {"op": op["op"], "table": op.get("table")}
        if "pk" in op:
            entry["pk"] = _vhash(hash_key, op["pk"])
            old = before.get((str(op.get("table")), repr(op["pk"])), {})
            columns = sorted(op.get("set", {})) if op["op"] == "update" else sorted(old)
            entry["before"] = {c: _vhash(hash_key, old.get(c)) for c in columns}
            entry["after"] = (
                {c: _vhash(hash_key, op["set"][c]) for c in columns}
                if op["op"] == "update"
                else None
            )
            if "kept" in op:
                entry["kept"] = op["kept"]
        if op["op"] == "suppress":
            entry = {"op": "suppress", "organisation_id": op["organisation_id"], "hash": op["hash"]}
        if op["op"] == "notify":
            entry = {"op": "notify", "source_id": op["source_id"], "action": op["action"]}
        out.append(entry)
    return out


def _apply_file_plan(
    session: Session, plan: list[dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    before: dict[tuple[str, str], dict[str, Any]] = {}
    for op in plan:
        rec = session.get(DataRecord, op["pk"])
        if rec is None:
            raise SourceError(
                "The data changed since the preview; preview again.", code="changed_since_preview"
            )
        before[("data_record", repr(op["pk"]))] = {**rec.values, "restricted": rec.restricted}
        if op["op"] == "delete":
            session.delete(rec)
        elif "restricted" in op["set"]:
            rec.restricted = bool(op["set"]["restricted"])
        else:
            rec.values = {**rec.values, **op["set"]}
    session.flush()
    return before


def execute_action(
    session: Session,
    action: SourceAction,
    *,
    actor: Actor,
    now: datetime,
    key: SourceKeys | bytes,
    language: str = "nl",
    open_source: Callable[[DataSource], SqlSource] | None = None,
    fail_after: int | None = None,
) -> SourceAction:
    """Carry out a prepared action exactly as previewed, in one transaction per source.

    Raises :class:`PermissionDenied` when an erasure is executed by the officer who
    prepared it (four eyes), :class:`SourceError` ``changed_since_preview`` when the data
    no longer give the same plan (nothing is changed then). ``fail_after`` is for tests.
    """
    if action.status is not ActionStatus.PREPARED:
        raise Conflict("This action was already carried out.", code="action_done")
    request = session.get(RightsRequest, action.request_id)
    if request is None:
        raise NotFound()
    _check_open(request)
    if (
        action.kind is ActionKind.ERASE
        and actor.id is not None
        and actor.id == action.prepared_by_id
    ):
        raise PermissionDenied(
            "Another officer must execute an erasure you prepared.", code="four_eyes"
        )
    hash_key = SourceKeys.of(key).identifier_hash
    source = action.source
    kind = action.kind
    plan = list(action.plan)
    before: dict[tuple[str, str], dict[str, Any]] = {}
    result: dict[str, Any] = {}
    if kind is ActionKind.EXPORT:
        if source is None:
            raise ValidationFailed("Choose a source.", code="no_source")
        fresh = _export_plan(session, request, source, key=key, open_source=open_source)
        if fresh != plan:
            raise SourceError(
                "The data changed since the preview; preview again.", code="changed_since_preview"
            )
        result = {"executed": plan}
    elif kind is ActionKind.SUPPRESS:
        fresh = _suppress_plan(session, request, hash_key)
        if fresh != plan:
            raise SourceError(
                "The data changed since the preview; preview again.", code="changed_since_preview"
            )
        for op in plan:
            session.add(
                SuppressionEntry(
                    organisation_id=op["organisation_id"],
                    identifier_hash=op["hash"],
                    reason="objection"
                    if request.right.value == "objection"
                    else "consent_withdrawn",
                    request_id=request.id,
                    created_at=now,
                )
            )
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("The suppression list changed; preview again.") from exc
        result = {"executed": plan}
    elif kind is ActionKind.NOTIFY:
        fresh = _notify_plan(session, request)
        if fresh != plan:
            raise SourceError(
                "The data changed since the preview; preview again.", code="changed_since_preview"
            )
        for op in plan:
            task = SourceTask(
                request_id=request.id,
                source_id=op["source_id"],
                kind="recipient_notice",
                action=op["action"],
                assignee_name=op["recipient"],
                assignee_email=op["contact_email"],
                status=TaskStatus.OPEN,
                created_at=now,
            )
            session.add(task)
            session.flush()
            if op["contact_email"]:
                queue_mail(
                    session,
                    to=op["contact_email"],
                    template="recipient_notice",
                    language=language,
                    now=now,
                    request_id=request.id,
                    context={
                        "task_id": task.id,
                        "action": op["action"],
                        "reference": request.reference,
                    },
                )
                task.status = TaskStatus.SENT
                task.sent_at = now
        result = {"executed": plan}
    elif source is None:
        raise ValidationFailed("Choose a source.", code="no_source")
    else:
        if kind is ActionKind.LIFT_RESTRICTION and request.requester_email:
            # Art. 18(3): the subject is informed before the restriction is lifted; the
            # notice is queued first, in the same transaction as the record of the lifting.
            queue_mail(
                session,
                to=request.requester_email,
                template="restriction_lifted",
                language=request.language,
                now=now,
                request_id=request.id,
                context={"source": source.name},
            )
        result = _execute_on_source(
            session, action, request, source, actor=actor, key=key,
            open_source=open_source, fail_after=fail_after, before=before,
        )  # fmt: skip
    if kind is ActionKind.ERASE and source is not None:
        result["kept"] = _kept(source, plan)
        result["backup_rotation"] = source.backup_rotation
    action.status = ActionStatus.EXECUTED
    action.result = result
    action.executed_by_id = actor.id
    action.executed_at = now
    session.flush()
    record(
        session,
        "source_action.executed",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="source_action",
        object_id=action.id,
        data={
            "kind": kind.value,
            "source_id": action.source_id,
            "operations": _audit_ops(hash_key, plan, before),
        },
    )
    return action


def _execute_on_source(
    session: Session,
    action: SourceAction,
    request: RightsRequest,
    source: DataSource,
    *,
    actor: Actor,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None,
    fail_after: int | None,
    before: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, Any]:
    """Apply a changing action to one source in one transaction; fills ``before``."""
    kind, plan = action.kind, list(action.plan)
    if source.kind is SourceKind.FILE:
        fresh = _file_plan(
            session, kind, action.params, confirmed_matches(session, request, source)
        )
        if fresh != plan:
            raise SourceError(
                "The data changed since the preview; preview again.", code="changed_since_preview"
            )
        savepoint = session.begin_nested()
        try:
            if fail_after is not None:
                before.update(_apply_file_plan(session, plan[:fail_after]))
                raise SourceError("Injected failure.", code="query_failed")
            before.update(_apply_file_plan(session, plan))
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            raise
        return {"executed": plan}
    elif source.kind is SourceKind.SQL:
        sql = (open_source or (lambda s: open_sql(s, key=key)))(source)
        try:
            plan_for = _sql_plan(kind, action.params)
            executed, rows = sql.run(
                _roots(confirmed_matches(session, request, source)),
                lambda rows: plan_for(sql, rows),
                plan,
                fail_after=fail_after,
            )
        finally:
            sql.dispose()
        before.update({(r.table, repr(r.pk)): r.values for r in rows})
        return {"executed": executed}
    raise ValidationFailed("A manual source is handled by its task.", code="manual_source")


def _kept(source: DataSource, plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if source.kind is not SourceKind.SQL:
        return []
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


# -- results for the answer ------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCopy:
    key: str
    label: str
    fields: tuple[str, ...]
    records: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class SourceCopy:
    """What an access answer needs from one source: Art. 15(1) information and the copy."""

    name: str
    owner: str
    purposes: tuple[str, ...]
    legal_basis: tuple[str, ...]
    retention: str
    recipients: tuple[dict[str, str], ...]
    categories_info: tuple[str, ...]
    source_of_data: str
    categories: tuple[CategoryCopy, ...]


def _sql_categories(sql: SqlSource, rows: list[Row]) -> list[CategoryCopy]:
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


def _export_plan(
    session: Session,
    request: RightsRequest,
    source: DataSource,
    *,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None,
) -> list[dict[str, Any]]:
    """What the copy of this source holds: records per category (no values)."""
    copies = export_copies(session, request, key=key, open_source=open_source, source=source)
    return [
        {"op": "read", "source_id": source.id, "category": c.key, "records": len(c.records)}
        for copy in copies
        for c in copy.categories
    ]


def export_copies(
    session: Session,
    request: RightsRequest,
    *,
    key: SourceKeys | bytes,
    open_source: Callable[[DataSource], SqlSource] | None = None,
    source: DataSource | None = None,
) -> list[SourceCopy]:
    """The copy of the confirmed data per source (or of one ``source``), with each source's
    Art. 15(1) information."""
    by_source: dict[int, list[SubjectMatch]] = {}
    for match in confirmed_matches(session, request, source):
        by_source.setdefault(match.source_id, []).append(match)
    copies = []
    for source_id, matches in sorted(by_source.items()):
        source = session.get(DataSource, source_id)
        assert source is not None
        categories: list[CategoryCopy] = []
        if source.kind is SourceKind.FILE:
            recs = session.scalars(
                select(DataRecord)
                .where(DataRecord.id.in_(_record_ids(matches)))
                .order_by(DataRecord.id)
            ).all()
            by_file: dict[int, list[DataRecord]] = {}
            for rec in recs:
                by_file.setdefault(rec.file_id, []).append(rec)
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
        elif source.kind is SourceKind.SQL:
            sql = (open_source or (lambda s: open_sql(s, key=key)))(source)
            try:
                categories = _sql_categories(sql, sql.read(_roots(matches)))
            finally:
                sql.dispose()
        copies.append(
            SourceCopy(
                name=source.name,
                owner=source.organisation.name,
                purposes=tuple(source.purposes),
                legal_basis=tuple(source.legal_basis),
                retention=source.retention,
                recipients=tuple(dict(r) for r in source.recipients),
                categories_info=tuple(source.categories),
                source_of_data=source.source_of_data,
                categories=tuple(categories),
            )
        )
    return copies


@dataclass(frozen=True)
class ErasureSummary:
    """For the answer letter (LEGAL §4.3): what was erased, what was kept and why."""

    erased: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]
    backups: tuple[dict[str, str], ...]


def erasure_summary(session: Session, request: RightsRequest) -> ErasureSummary:
    erased, kept, backups = [], [], []
    actions = session.scalars(
        select(SourceAction)
        .where(
            SourceAction.request_id == request.id,
            SourceAction.kind == ActionKind.ERASE,
            SourceAction.status == ActionStatus.EXECUTED,
        )
        .order_by(SourceAction.id)
    )
    for action in actions:
        name = action.source.name if action.source else "?"
        counts: dict[str, int] = {}
        for op in action.result.get("executed", []):
            if not op.get("kept"):
                counts[op["table"]] = counts.get(op["table"], 0) + 1
        for table, rows in sorted(counts.items()):
            erased.append({"source": name, "table": table, "rows": rows})
        for item in action.result.get("kept", []):
            kept.append({"source": name, **item})
        if action.result.get("backup_rotation"):
            backups.append({"source": name, "rotation": action.result["backup_rotation"]})
    return ErasureSummary(tuple(erased), tuple(kept), tuple(backups))
