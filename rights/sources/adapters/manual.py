"""A manual source (no connector): discovery hands the search to its named person as a task;
the person answers through the task link, so no action runs on it here."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.errors import ValidationFailed
from rights.models.request import RightsRequest
from rights.models.source import DataSource, SourceTask, SubjectMatch, TaskStatus
from rights.outbox import queue_mail
from rights.sources.adapters.base import CategoryCopy, Found, SourceView
from rights.sources.plans import Plan
from rights.sources.subject import SubjectKeys
from rights.sources.tasks import TASK_STATES

__all__ = ["ManualAdapter", "manual_task"]


def manual_task(
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
        task.status = TASK_STATES.move(task.status, TaskStatus.SENT)
        task.sent_at = now
    return 1


class ManualAdapter:
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
        return Found(tasks=manual_task(session, request, source, now=now))

    def values(
        self, session: Session, source: DataSource, matches: Sequence[SubjectMatch], *, key: bytes
    ) -> dict[int, dict[str, Any]]:
        return {}

    def categories(
        self, session: Session, source: DataSource, matches: Sequence[SubjectMatch], *, key: bytes
    ) -> list[CategoryCopy]:
        return []

    def open(
        self,
        session: Session,
        source: DataSource,
        matches: Sequence[SubjectMatch],
        *,
        key: bytes,
        write: bool,
    ) -> AbstractContextManager[SourceView]:
        raise ValidationFailed("A manual source is handled by its task.", code="manual_source")

    def held(self, source: DataSource, plan: Plan) -> list[dict[str, Any]]:
        return []
