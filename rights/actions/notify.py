"""Notification of recipients (Art. 19): every named recipient of a source where a
rectification, erasure or restriction was carried out gets a task, mailed to its contact."""

from __future__ import annotations

from sqlalchemy import select

from rights.actions.base import ActionEnv, Applied
from rights.actions.preview import ensure_as_previewed
from rights.errors import ValidationFailed
from rights.models.source import (
    ActionKind,
    ActionStatus,
    DataSource,
    SourceAction,
    SourceTask,
    TaskStatus,
)
from rights.outbox import queue_mail
from rights.sources.plans import Plan
from rights.sources.tasks import TASK_STATES

__all__ = ["NotifyHandler"]


def _notify_plan(env: ActionEnv) -> Plan:
    session, request = env.session, env.request
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


class NotifyHandler:
    def plan(self, env: ActionEnv) -> Plan:
        return _notify_plan(env)

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        ensure_as_previewed(_notify_plan(env), previewed)
        session, request = env.session, env.request
        for op in previewed:
            task = SourceTask(
                request_id=request.id,
                source_id=op["source_id"],
                kind="recipient_notice",
                action=op["action"],
                assignee_name=op["recipient"],
                assignee_email=op["contact_email"],
                status=TaskStatus.OPEN,
                created_at=env.now,
            )
            session.add(task)
            session.flush()
            if op["contact_email"]:
                queue_mail(
                    session,
                    to=op["contact_email"],
                    template="recipient_notice",
                    language=env.language,
                    now=env.now,
                    request_id=request.id,
                    context={
                        "task_id": task.id,
                        "action": op["action"],
                        "reference": request.reference,
                    },
                )
                task.status = TASK_STATES.move(task.status, TaskStatus.SENT)
                task.sent_at = env.now
        return Applied({"executed": previewed})
