"""Which people are restricted (Art. 18(2) GDPR; docs/legal.md, "Restriction"): apart from
storage, their data may not be processed, so every outgoing processing file (the mailing
filter, campaign exports, the API) leaves them out and says how many.

A restriction is in force from an executed restrict action until an executed lift action
(Art. 18(3)) on the same request. The people are matched by keyed hashes of the request's
identifiers, the same hashes the suppression list uses (``rights.receipt``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.identifiers import identifier_hash
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, DataSource, SourceAction
from rights.receipt import receipt_identifiers

T = TypeVar("T")


def restricted_request_ids(session: Session, organisation_id: int | None = None) -> set[int]:
    """Requests whose restriction is in force (for the sources of ``organisation_id``, or
    any organisation)."""
    query = (
        select(SourceAction.request_id, SourceAction.kind)
        .join(DataSource, DataSource.id == SourceAction.source_id, isouter=True)
        .where(
            SourceAction.status == ActionStatus.EXECUTED,
            SourceAction.kind.in_((ActionKind.RESTRICT, ActionKind.LIFT_RESTRICTION)),
        )
        .order_by(SourceAction.executed_at, SourceAction.id)
    )
    if organisation_id is not None:
        query = query.join(RightsRequest, RightsRequest.id == SourceAction.request_id).where(
            (DataSource.organisation_id == organisation_id)
            | (
                SourceAction.source_id.is_(None)
                & (RightsRequest.organisation_id == organisation_id)
            )
        )
    last: dict[int, ActionKind] = {}
    for request_id, kind in session.execute(query):
        last[request_id] = kind
    return {rid for rid, kind in last.items() if kind is ActionKind.RESTRICT}


def restricted_hashes(session: Session, organisation_id: int, hash_key: bytes) -> set[str]:
    """Keyed hashes of the identifiers of everyone restricted for ``organisation_id``."""
    ids = restricted_request_ids(session, organisation_id)
    if not ids:
        return set()
    requests = session.scalars(select(RightsRequest).where(RightsRequest.id.in_(ids)))
    return {
        identifier_hash(hash_key, kind, value)
        for request in requests
        for kind, value in receipt_identifiers(request)
    }


@dataclass
class LeftOut:
    """How many rows a processing file left out because the person is restricted."""

    restricted: int = 0


def leave_out_restricted(
    rows: Iterable[T],
    hashes_of: Callable[[T], Iterable[str]],
    restricted: set[str],
    counter: LeftOut,
) -> Iterator[T]:
    """The rows whose person is not restricted; ``counter.restricted`` counts the rest."""
    for row in rows:
        if restricted and any(h in restricted for h in hashes_of(row)):
            counter.restricted += 1
            continue
        yield row
