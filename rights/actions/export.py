"""Export (Art. 15(3), Art. 20): the plan is what the copy of one source holds, per category
(records counted, no values); carrying it out records that the copy was taken as previewed."""

from __future__ import annotations

from rights.actions.base import ActionEnv, Applied
from rights.actions.preview import ensure_as_previewed
from rights.sources.copies import export_copies
from rights.sources.plans import Plan

__all__ = ["ExportHandler"]


def _export_plan(env: ActionEnv) -> Plan:
    source = env.require_source()
    copies = export_copies(env.session, env.request, key=env.key, source=source)
    return [
        {"op": "read", "source_id": source.id, "category": c.key, "records": len(c.records)}
        for copy in copies
        for c in copy.categories
    ]


class ExportHandler:
    def plan(self, env: ActionEnv) -> Plan:
        env.matches(required=True)
        return _export_plan(env)

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        ensure_as_previewed(_export_plan(env), previewed)
        return Applied({"executed": previewed})
