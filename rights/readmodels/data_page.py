"""The data page of a request: where the subject's data was found (with the values, so
the officer can judge a match), the previewed and executed actions, the manual sources'
tasks, and what the answer letter must say about erasure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.keys import SourceKeys
from rights.models.case import Document
from rights.models.request import RightsRequest
from rights.models.source import (
    ActionKind,
    DataRecord,
    DataSource,
    MatchStatus,
    SourceAction,
    SourceTask,
    SubjectMatch,
    TaskStatus,
)
from rights.sources.fulfilment import ErasureSummary, erasure_summary, match_values


@dataclass(frozen=True)
class MatchRow:
    match: SubjectMatch
    values: dict[str, Any] | None


@dataclass(frozen=True)
class DataPage:
    req: RightsRequest
    matches: Sequence[MatchRow]
    actions: Sequence[SourceAction]
    tasks: Sequence[SourceTask]
    task_files: dict[int, Document]
    overdue: Sequence[SourceTask]
    sources: Sequence[DataSource]  # active ones, to choose for an action
    kinds: Sequence[ActionKind]
    summary: ErasureSummary
    controllers: Sequence[int]  # organisations with confirmed matches (>1: offer a split)
    errors: Sequence[tuple[str, str]]  # sources whose values could not be read (slug, code)


def _rows(session: Session, model: Any, request_id: int, *order: Any) -> list[Any]:
    stmt = select(model).where(model.request_id == request_id).order_by(*order)
    return list(session.scalars(stmt))


def _overdue(tasks: Sequence[SourceTask], today: date) -> list[SourceTask]:
    """Tasks not done and past their due date, soonest first."""
    late = [t for t in tasks if t.status is not TaskStatus.DONE and t.due and t.due < today]
    return sorted(late, key=lambda t: (t.due or today, t.id))


def data_page(
    session: Session, req: RightsRequest, *, key: SourceKeys | bytes, today: date
) -> DataPage:
    """Everything the data page of ``req`` shows; ``key`` opens the SQL sources."""
    all_sources = session.scalars(select(DataSource).order_by(DataSource.name)).all()
    matches = _rows(session, SubjectMatch, req.id, SubjectMatch.source_id, SubjectMatch.id)
    record_ids = [int(m.locator["record"]) for m in matches if "record" in m.locator]
    # One query, and held while the values are read, so each is found in the session.
    wanted = select(DataRecord).where(DataRecord.id.in_(record_ids))
    records = session.scalars(wanted).all() if record_ids else []
    values, errors = match_values(session, matches, key=key)
    del records
    tasks = _rows(session, SourceTask, req.id, SourceTask.id)
    file_ids = [t.document_id for t in tasks if t.document_id]
    files: Sequence[Document] = (
        session.scalars(select(Document).where(Document.id.in_(file_ids))).all() if file_ids else []
    )
    confirmed = [m for m in matches if m.status is MatchStatus.CONFIRMED]
    return DataPage(
        req=req,
        matches=[MatchRow(m, values.get(m.id)) for m in matches],
        actions=_rows(session, SourceAction, req.id, SourceAction.id),
        tasks=tasks,
        task_files={d.id: d for d in files},
        overdue=_overdue(tasks, today),
        sources=[s for s in all_sources if s.active],
        kinds=list(ActionKind),
        summary=erasure_summary(session, req),
        controllers=sorted({m.source.organisation_id for m in confirmed}),
        errors=errors,
    )
