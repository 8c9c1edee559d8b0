"""Suppression (Art. 21(3), Art. 7(3)): keyed hashes of the subject's identifiers go on the
suppression list of every organisation that holds the subject's data, so outgoing mailing
files can be checked against it without the list holding the identifiers themselves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rights.actions.base import ActionEnv, Applied
from rights.actions.preview import ensure_as_previewed
from rights.errors import Conflict, ValidationFailed
from rights.identifiers import identifier_hash
from rights.models.source import DataRecord, SuppressionEntry
from rights.sources.matching import confirmed_matches
from rights.sources.plans import Plan
from rights.sources.subject import subject_keys

__all__ = ["SuppressHandler"]


def _suppress_plan(env: ActionEnv) -> Plan:
    session, request = env.session, env.request
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
    hash_key = env.hash_key()
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


class SuppressHandler:
    def plan(self, env: ActionEnv) -> Plan:
        return _suppress_plan(env)

    def apply(self, env: ActionEnv, previewed: Plan) -> Applied:
        ensure_as_previewed(_suppress_plan(env), previewed)
        request = env.request
        reason = "objection" if request.right.value == "objection" else "consent_withdrawn"
        for op in previewed:
            env.session.add(
                SuppressionEntry(
                    organisation_id=op["organisation_id"],
                    identifier_hash=op["hash"],
                    reason=reason,
                    request_id=request.id,
                    created_at=env.now,
                )
            )
        try:
            env.session.flush()
        except IntegrityError as exc:
            raise Conflict("The suppression list changed; preview again.") from exc
        return Applied({"executed": previewed})
