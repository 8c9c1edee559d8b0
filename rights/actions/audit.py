"""The audit of an executed action: each operation with keyed hashes of the values before
and after, never the values themselves."""

from __future__ import annotations

from typing import Any

from rights.identifiers import identifier_hash
from rights.sources.adapters.base import Before
from rights.sources.plans import Plan

__all__ = ["audit_ops"]


def _vhash(hash_key: bytes, value: Any) -> str | None:
    if value is None or value == "":
        return None
    return identifier_hash(hash_key, "value", str(value))


def audit_ops(hash_key: bytes, plan: Plan, before: Before) -> list[dict[str, Any]]:
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
