"""The suppression check as a use case (docs/api.md, "Suppression check"): the calling key's
controller only, audited with counts and never the values."""

from __future__ import annotations

from collections.abc import Sequence

from operations.context import Context
from rights import audit
from rights.models.api import ApiKey
from rights.opendsr.keys import api_actor
from rights.opendsr.suppression_check import Checked, Identity, check

__all__ = ["check_identities"]


def check_identities(ctx: Context, key: ApiKey, identities: Sequence[Identity]) -> list[Checked]:
    """Check ``identities`` against the key's organisation's lists (flushes nothing but the
    audit event; the caller commits)."""
    organisation = key.organisation
    results = check(ctx.session, organisation, identities, ctx.identifier_hash_key())
    audit.record(
        ctx.session,
        "api.suppression_checked",
        actor=api_actor(key),
        now=ctx.now(),
        object_type="organisation",
        object_id=organisation.id,
        data={
            "identities": len(results),
            "suppressed": sum(r.suppressed for r in results),
            "restricted": sum(r.restricted for r in results),
        },
    )
    return results
