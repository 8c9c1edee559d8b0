"""The suppression check of a controller's mailing pipeline (docs/api.md, "Suppression
check"): for each e-mail address or phone number sent, whether it is on that controller's
suppression list (objection to direct marketing, withdrawal of consent) and whether a
restriction of processing is in force for that person in that controller's data (Art. 18(2)).

The values are normalised and hashed with the suppression list's key in bulk, and compared
in one query against the controller's list (by the hashes sent, never the whole list) and
against the restricted people's hashes (``rights.restriction``). Nothing about anyone not
asked about is returned, and another controller's list is never read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.identifiers import identifier_hash, normalise_email, normalise_phone
from rights.models.org import Organisation
from rights.models.source import SuppressionEntry
from rights.restriction import restricted_hashes

__all__ = ["IDENTITY_TYPES", "MAX_IDENTITIES", "Checked", "Identity", "check"]

MAX_IDENTITIES = 10_000
# The API's identity types and the identifier kinds of the suppression list's hashes.
IDENTITY_TYPES: dict[str, str] = {"email": "email", "phone_number": "phone"}
_CHUNK = 5_000  # bound parameters per IN (SQLite allows 32,766)


@dataclass(frozen=True)
class Identity:
    identity_type: str  # a key of IDENTITY_TYPES
    identity_value: str


@dataclass(frozen=True)
class Checked:
    identity: Identity
    suppressed: bool
    restricted: bool


def _hash(key: bytes, identity: Identity) -> str | None:
    kind = IDENTITY_TYPES[identity.identity_type]
    value = identity.identity_value
    normalised = normalise_email(value) if kind == "email" else normalise_phone(value)
    return identifier_hash(key, kind, normalised) if normalised else None


def _listed(session: Session, organisation: Organisation, hashes: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(hashes)
    for start in range(0, len(ordered), _CHUNK):
        found.update(
            session.scalars(
                select(SuppressionEntry.identifier_hash).where(
                    SuppressionEntry.organisation_id == organisation.id,
                    SuppressionEntry.identifier_hash.in_(ordered[start : start + _CHUNK]),
                )
            )
        )
    return found


def check(
    session: Session, organisation: Organisation, identities: Sequence[Identity], hash_key: bytes
) -> list[Checked]:
    """The identities in the order given, each with ``suppressed`` and ``restricted``. A
    value that is not an e-mail address or phone number is neither."""
    if len(identities) > MAX_IDENTITIES:
        raise ValueError("too many identities")
    hashes = [_hash(hash_key, identity) for identity in identities]
    wanted = {h for h in hashes if h}
    listed = _listed(session, organisation, wanted) if wanted else set()
    restricted = restricted_hashes(session, organisation.id, hash_key) if wanted else set()
    return [
        Checked(identity, h in listed, h in restricted) if h else Checked(identity, False, False)
        for identity, h in zip(identities, hashes, strict=True)
    ]
