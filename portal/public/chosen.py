"""The organisation a visitor chose on the start form, as plain values.

The operator is the same row for every intake GET and POST, so each web process keeps its
values (``OperatorCache``) instead of asking the database twice per filed request
(issue 17). A flush that adds, changes or deletes an organisation in this process clears
the cache at once (an admin's edit, a command, a test's factory); other processes notice
within ``OPERATOR_TTL_SECONDS``. Plain values, never an ORM object that outlives its
session (docs/architecture.md, "Intake").

A controller is read afresh for every intake GET and POST (``chosen_controller``), with the
moment its contract ended: the end of a contract (``operations.contract_end``, which
flushes the organisation) is seen by the next request of every process.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_session
from rights.models.org import Organisation, OrganisationKind

OPERATOR_TTL_SECONDS = 30.0

_changes = itertools.count(1)
_generation = [0]


@dataclass(frozen=True)
class ChosenOrganisation:
    id: int
    name: str
    kind: OrganisationKind
    slug: str
    # Set once a controller's contract ended: the choice is refused (docs/controllers.md).
    contract_ended_at: datetime | None = None

    @classmethod
    def of(cls, org: Organisation) -> ChosenOrganisation:
        return cls(
            id=org.id,
            name=org.name,
            kind=org.kind,
            slug=org.slug,
            contract_ended_at=org.contract_ended_at,
        )


@sa_event.listens_for(Session, "after_flush")
def _organisations_changed(session: Session, _context: Any) -> None:
    touched = itertools.chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, Organisation) for obj in touched):
        _generation[0] = next(_changes)


class OperatorCache:
    """The operator's values, kept until an organisation changes here or the TTL ends."""

    def __init__(self, ttl: float = OPERATOR_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._held: tuple[int, float, ChosenOrganisation | None] | None = None

    def get(self, session: Callable[[], Session]) -> ChosenOrganisation | None:
        held, now = self._held, time.monotonic()
        if held is not None and held[0] == _generation[0] and now < held[1]:
            return held[2]
        generation = _generation[0]
        row = session().scalar(
            select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR)
        )
        value = ChosenOrganisation.of(row) if row is not None else None
        with self._lock:
            self._held = (generation, now + self.ttl, value)
        return value


def chosen_operator() -> ChosenOrganisation | None:
    cache: OperatorCache | None = current_app.extensions.get("dsr_operator")
    if cache is None:
        cache = current_app.extensions.setdefault("dsr_operator", OperatorCache())
    return cache.get(get_session)


def chosen_controller(slug: str) -> ChosenOrganisation | None:
    found = get_session().scalar(
        select(Organisation).where(
            Organisation.slug == slug,
            Organisation.kind == OrganisationKind.CONTROLLER,
            Organisation.listed_publicly.is_(True),
        )
    )
    return ChosenOrganisation.of(found) if found is not None else None
