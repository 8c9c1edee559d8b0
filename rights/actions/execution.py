"""Preparing and executing the actions that fulfil a request.

Each action is first *prepared*: a dry run whose plan is stored. It is then *executed*:
:func:`rights.actions.gate.authorise_apply` decides whether it may run now, and the
handler of its kind computes the plan again in the execution's transaction and carries it
out only if it equals the stored one, so the preview is exactly what happens. One source per
action, so one transaction per source. Audit events carry keyed hashes of the values before
and after, never the values themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rights.actions.audit import audit_ops
from rights.actions.base import ActionEnv
from rights.actions.gate import authorise_apply, ensure_request_open
from rights.actions.registry import HANDLERS
from rights.actions.states import ACTION_STATES
from rights.audit import Actor, record
from rights.controllers.approvals import approving_decision, lapse
from rights.controllers.instructions import action_instruction
from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, DataSource, SourceAction

__all__ = ["execute_action", "prepare_action"]


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
) -> SourceAction:
    """The dry run: compute and store the plan (flushes, audits). Nothing changes in sources.

    Raises ``Conflict`` ``request_closed``, ``ValidationFailed`` when the action cannot be
    planned (no source, no confirmed matches, a bad rectification), ``SourceError``.
    """
    ensure_request_open(request)
    params = dict(params or {})
    env = ActionEnv(session, request, source, params, actor=actor, now=now, key=key)
    plan = HANDLERS[kind].plan(env)
    if source is not None:
        # Another plan of this kind for this source: what the controller approved before
        # is no longer what would be done (docs/controllers.md, "Approvals and the gate").
        lapse(
            session, request.id, now=now, reason="action_prepared_again",
            source_id=source.id, kind=kind, actor=actor,
        )  # fmt: skip
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


def execute_action(
    session: Session,
    action: SourceAction,
    *,
    actor: Actor,
    now: datetime,
    key: SourceKeys | bytes,
    language: str = "nl",
) -> SourceAction:
    """Carry out a prepared action exactly as previewed, in one transaction per source.

    Raises what :func:`~rights.actions.gate.authorise_apply` raises (already carried out,
    request closed, four eyes on erasure, the controller's approval missing or refused),
    and :class:`SourceError` ``changed_since_preview`` when the data no longer give the
    same plan (nothing is changed then).
    """
    request = authorise_apply(session, action, actor=actor)
    approval = approving_decision(session, action)
    instruction = None if approval else action_instruction(session, action)
    env = ActionEnv(
        session, request, action.source, action.params,
        actor=actor, now=now, key=key, language=language,
    )  # fmt: skip
    plan = list(action.plan)
    applied = HANDLERS[action.kind].apply(env, plan)
    action.status = ACTION_STATES.move(action.status, ActionStatus.EXECUTED)
    action.result = applied.result
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
            "kind": action.kind.value,
            "source_id": action.source_id,
            "operations": audit_ops(env.hash_key(), plan, applied.before),
            # The controller's approval it ran on (None: the operator's own data, or the
            # controller's instruction named the action).
            "approval_id": approval.id if approval else None,
            "approved_by": approval.decided_by_id if approval else None,
            # Or the instruction it ran on: the contact who gave it, or the API key's prefix.
            **(instruction.audit_data() if instruction else {}),
        },
    )
    return action
