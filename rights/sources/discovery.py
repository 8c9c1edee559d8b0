"""Discovery of a subject's data (docs/architecture.md, "Actions on data sources").

The request's identifiers are looked up in every active source in scope through its
adapter (docs/controllers.md, "Forwarding"): a request about an organisation searches only
that organisation's sources (a controller's, or the operator's own); a "don't know" request
searches all of them, only to find where it must go. New
candidate matches are stored with how each matched, for the officer to confirm or reject.
A manual source gets a search task for its named person instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.controllers.approvals import lapse
from rights.errors import SourceError
from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import DataSource, MatchStatus, SubjectMatch
from rights.sources.adapters import adapter_for
from rights.sources.subject import subject_keys

__all__ = ["DiscoveryReport", "discover", "sources_in_scope"]


@dataclass
class DiscoveryReport:
    found: int = 0
    new: int = 0
    tasks: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source slug, error code)


def sources_in_scope(session: Session, request: RightsRequest) -> list[DataSource]:
    """The active sources discovery searches for ``request``."""
    query = select(DataSource).where(DataSource.active.is_(True))
    if request.organisation_id is not None:
        query = query.where(DataSource.organisation_id == request.organisation_id)
    return list(session.scalars(query.order_by(DataSource.id)))


def discover(
    session: Session,
    request: RightsRequest,
    *,
    actor: Actor,
    now: datetime,
    key: SourceKeys | bytes,
) -> DiscoveryReport:
    """Search every active source in scope; store new candidates (flushes, audits).

    A source that fails (unreachable, timeout, wrong mapping) is reported in
    ``errors`` and skipped; the other sources are still searched.
    """
    keys = subject_keys(request)
    report = DiscoveryReport()
    changed: set[int] = set()
    existing = {
        (m.source_id, m.locator_key)
        for m in session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
    }
    for source in sources_in_scope(session, request):
        try:
            found = adapter_for(source).discover(session, request, source, keys, key=key, now=now)
        except SourceError as exc:
            report.errors.append((source.slug, exc.code))
            continue
        report.tasks += found.tasks
        for hit in found.hits:
            report.found += 1
            if (source.id, hit.locator_key) in existing:
                continue
            session.add(
                SubjectMatch(
                    request_id=request.id,
                    source_id=source.id,
                    locator=hit.locator,
                    locator_key=hit.locator_key[:300],
                    matched_by=hit.how,
                    identifier_verified=hit.how in keys.verified,
                    status=MatchStatus.CANDIDATE,
                    found_at=now,
                )
            )
            existing.add((source.id, hit.locator_key))
            report.new += 1
            changed.add(source.id)
    session.flush()
    for source_id in sorted(changed):  # new data there: approvals given before lapse
        lapse(
            session, request.id, now=now, reason="matches_found", source_id=source_id,
            actor=actor,
        )  # fmt: skip
    record(
        session,
        "sources.discovered",
        actor=actor,
        now=now,
        request_id=request.id,
        data={
            "found": report.found,
            "new": report.new,
            "tasks": report.tasks,
            "errors": report.errors,
        },
    )
    return report
