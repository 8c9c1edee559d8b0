"""The suppression list: the keyed hashes of the identifiers of people whose direct
marketing stopped (``rights.receipt``), per controller, and the check of one data-file row
against it. Running a whole mailing file through the list is ``operations.mailing``.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.identifiers import identifier_hash
from rights.models.org import Organisation
from rights.models.source import SuppressionEntry
from rights.sources.normalise import NormalisedIdentifiers

__all__ = ["is_suppressed", "suppressed_hashes"]


def suppressed_hashes(session: Session, organisation: Organisation) -> set[str]:
    return set(
        session.scalars(
            select(SuppressionEntry.identifier_hash).where(
                SuppressionEntry.organisation_id == organisation.id
            )
        )
    )


def is_suppressed(row: NormalisedIdentifiers, hashes: Collection[str], hash_key: bytes) -> bool:
    """True if any of the row's e-mail addresses, phone numbers, customer numbers or its
    address (postcode and house number) is on the list ``hashes``."""
    values = [("email", v) for v in row.emails] + [("phone", v) for v in row.phones]
    values += [("customer_number", v) for v in row.customer_numbers]
    if row.address_key:  # entries made on receipt (rights/receipt.py)
        values.append(("address", row.address_key))
    return any(identifier_hash(hash_key, k, v) in hashes for k, v in values)
