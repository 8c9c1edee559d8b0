"""The actions that change a source: erasure (Art. 17), restriction and its lifting
(Art. 18) and rectification (Art. 16).

Each is planned on a view of the subject's confirmed data through the source's adapter, and
carried out in one transaction on that source: the plan is computed again inside it, must
equal the preview, and only then is written, operation by operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rights.actions.base import ActionEnv, Applied
from rights.actions.preview import ensure_as_previewed
from rights.outbox import queue_mail
from rights.sources.adapters import SourceView
from rights.sources.plans import Plan

__all__ = [
    "ChangeHandler",
    "EraseHandler",
    "LiftRestrictionHandler",
    "RectifyHandler",
    "RestrictHandler",
]


class ChangeHandler:
    """A change on one source; subclasses say which operations the change is."""

    def ops(self, view: SourceView, params: Mapping[str, Any]) -> Plan:
        raise NotImplementedError

    def plan(self, env: ActionEnv) -> Plan:
        matches = env.matches(required=True)
        source = env.require_source()
        with env.adapter().open(env.session, source, matches, key=env.key, write=False) as view:
            return self.ops(view, env.params)

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        source = env.require_source()
        adapter = env.adapter()
        with adapter.open(env.session, source, env.matches(), key=env.key, write=True) as view:
            fresh = self.ops(view, env.params)
            ensure_as_previewed(fresh, previewed, source=source.slug)
            for op in view.write_order(fresh):
                view.write(op)
            before = view.before()
        return Applied({"executed": fresh}, before)


class EraseHandler(ChangeHandler):
    def ops(self, view: SourceView, params: Mapping[str, Any]) -> Plan:
        return view.erase()

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        applied = super().apply(env, previewed)
        source = env.require_source()
        # For the answer letter (docs/legal.md, "Complaint text (Art. 12(4))"): what a hold kept,
        # and when backups forget.
        applied.result["kept"] = env.adapter().held(source, previewed)
        applied.result["backup_rotation"] = source.backup_rotation
        return applied


class RestrictHandler(ChangeHandler):
    def ops(self, view: SourceView, params: Mapping[str, Any]) -> Plan:
        return view.restrict(True)


class LiftRestrictionHandler(ChangeHandler):
    def ops(self, view: SourceView, params: Mapping[str, Any]) -> Plan:
        return view.restrict(False)

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        source = env.require_source()
        request = env.request
        if request.requester_email:
            # Art. 18(3): the subject is informed before the restriction is lifted; the
            # notice is queued first, in the same transaction as the record of the lifting.
            queue_mail(
                env.session,
                to=request.requester_email,
                template="restriction_lifted",
                language=request.language,
                now=env.now,
                request_id=request.id,
                context={"source": source.name},
            )
        return super().apply(env, previewed)


class RectifyHandler(ChangeHandler):
    def ops(self, view: SourceView, params: Mapping[str, Any]) -> Plan:
        return view.rectify(params)
