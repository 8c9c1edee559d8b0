"""Tasks for a person: a manual source's search, or an Art. 19 notice to a recipient.

A manual source's task is answered by its named person through a signed link (no account).
The link is the credential, like the subject's own status link: it shows what is asked and
takes one answer, either a file with what was found (stored encrypted, checked by content)
or a confirmation ("nothing found" / "done as asked") with a note. After that the task is
done and the link is spent. An officer can also record the answer (:func:`complete_task`).

A task's status moves by :data:`TASK_STATES`: open -> sent (mailed) -> done, or open -> done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.documents import DocumentStore, sniff_task_answer_type, store_document
from rights.errors import Gone, InvalidTransition, NotFound, ValidationFailed
from rights.models.case import DocumentKind, Party
from rights.models.request import RightsRequest
from rights.models.source import SourceTask, TaskStatus
from rights.transitions import TransitionTable

__all__ = [
    "ASSIGNEE",
    "OUTCOMES",
    "TASK_STATES",
    "TaskSubject",
    "answer_task",
    "complete_task",
    "open_task",
    "overdue_tasks",
    "task_subject",
]

# Who acts through the link: the task's named person (audit ``actor_kind``).
ASSIGNEE = Actor("assignee")
OUTCOMES = ("uploaded", "nothing_found", "done")
MAX_NOTE = 5000

TASK_STATES: TransitionTable[TaskStatus] = TransitionTable(
    "source task",
    {
        TaskStatus.OPEN: frozenset({TaskStatus.SENT, TaskStatus.DONE}),
        TaskStatus.SENT: frozenset({TaskStatus.DONE}),
        TaskStatus.DONE: frozenset(),
    },
)


@dataclass(frozen=True)
class TaskSubject:
    """The identifiers the named person searches for: only what the request holds."""

    name: str
    email: str
    phone: str
    customer_number: str
    address: str


def task_subject(request: RightsRequest) -> TaskSubject:
    return TaskSubject(
        name=request.requester_name or "",
        email=request.requester_email or "",
        phone=request.requester_phone or "",
        customer_number=request.requester_customer_number or "",
        address=request.requester_address or "",
    )


def open_task(session: Session, task_id: object, *, actor: Actor, now: datetime) -> SourceTask:
    """The manual search task a link names. NotFound for no such task; Gone once answered."""
    task = session.get(SourceTask, task_id) if isinstance(task_id, int) else None
    if task is None or task.kind != "manual_search":
        raise NotFound("no such task", code="task_unknown")
    if task.status is TaskStatus.DONE:
        record(
            session,
            "source_task.link_reused",
            actor=actor,
            now=now,
            request_id=task.request_id,
            object_type="source_task",
            object_id=task.id,
        )
        raise Gone("the task is already answered", code="task_done")
    return task


def answer_task(
    session: Session,
    store: DocumentStore,
    task: SourceTask,
    *,
    outcome: str,
    note: str,
    upload: bytes | None,
    filename: str,
    now: datetime,
    actor: Actor = ASSIGNEE,
) -> None:
    """Record the named person's answer (flushes, audits). ``outcome`` is ``uploaded`` with
    a file, or ``nothing_found`` / ``done`` with a note. Nothing is written on bad input."""
    if task.status is TaskStatus.DONE:
        raise Gone("the task is already answered", code="task_done")
    note = note.strip()
    if outcome not in OUTCOMES:
        raise ValidationFailed("choose what you found or did", code="task_outcome")
    if len(note) > MAX_NOTE:
        raise ValidationFailed("the note is too long", code="task_note_long")
    if outcome == "uploaded":
        if not upload:
            raise ValidationFailed("choose the file with what you found", code="file_empty")
    elif upload:
        raise ValidationFailed("a file goes with 'found'", code="task_file_unexpected")
    elif not note:
        raise ValidationFailed("describe what you checked or did", code="task_note_required")
    request = session.get(RightsRequest, task.request_id)
    if request is None:  # pragma: no cover - cascade deletes the task with its request
        raise NotFound("no such request")
    # Single use even when two answers race: only one UPDATE finds the task not yet done.
    claimed = session.execute(
        update(SourceTask)
        .where(SourceTask.id == task.id, SourceTask.status != TaskStatus.DONE)
        .values(status=TaskStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) != 1:
        raise Gone("the task is already answered", code="task_done")
    if outcome == "uploaded" and upload:
        doc = store_document(
            session,
            store,
            request,
            upload,
            filename=filename,
            kind=DocumentKind.EVIDENCE,
            uploaded_by=Party.SYSTEM,
            actor=actor,
            now=now,
            sniff=sniff_task_answer_type,
        )
        task.document_id = doc.id
    task.outcome = outcome
    task.answer = note
    task.status = TASK_STATES.move(task.status, TaskStatus.DONE)
    task.done_at = now
    task.done_by_id = None
    session.flush()
    record(
        session,
        "source_task.answered",
        actor=actor,
        now=now,
        request_id=task.request_id,
        object_type="source_task",
        object_id=task.id,
        data={
            "kind": task.kind,
            "source_id": task.source_id,
            "outcome": outcome,
            "document_id": task.document_id,
        },
    )


def complete_task(
    session: Session, task: SourceTask, *, answer: str, actor: Actor, now: datetime
) -> None:
    """Record what the person found or did (a manual search), or the recipient's confirmation.

    Raises ``InvalidTransition`` (``task_done``) for a task that is already done.
    """
    if not TASK_STATES.can(task.status, TaskStatus.DONE):
        raise InvalidTransition("The task is already done.", code="task_done")
    answer = answer.strip()
    if not answer or len(answer) > 10_000:
        raise ValidationFailed("Describe what was found or done.", code="answer_required")
    task.answer = answer
    task.status = TASK_STATES.move(task.status, TaskStatus.DONE)
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


def overdue_tasks(session: Session, request_id: int, today: date) -> list[SourceTask]:
    """Tasks of the request that are not done and past their due date."""
    return list(
        session.scalars(
            select(SourceTask)
            .where(
                SourceTask.request_id == request_id,
                SourceTask.status != TaskStatus.DONE,
                SourceTask.due.is_not(None),
                SourceTask.due < today,
            )
            .order_by(SourceTask.due, SourceTask.id)
        )
    )
