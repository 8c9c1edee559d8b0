"""The officer's judgement of discovery's candidates: the values of each match, the
decision (confirm or reject), and the confirmed matches every action works on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights.audit import Actor, record
from rights.controllers.approvals import lapse
from rights.errors import SourceError
from rights.keys import SourceKeys
from rights.models.request import RightsRequest
from rights.models.source import DataSource, MatchStatus, SubjectMatch
from rights.sources.adapters import adapter_for

__all__ = ["confirmed_matches", "controllers_found", "decide_match", "match_values"]


def match_values(
    session: Session, matches: Sequence[SubjectMatch], *, key: SourceKeys | bytes
) -> tuple[dict[int, dict[str, Any]], list[tuple[str, str]]]:
    """The values of each matched record or row, so the officer can judge the match.

    Returns ``{match id: {column: value}}`` and the sources that failed (slug, code).
    """
    values: dict[int, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    by_source: dict[int, list[SubjectMatch]] = {}
    for match in matches:
        by_source.setdefault(match.source_id, []).append(match)
    for source_id, group in by_source.items():
        source = session.get(DataSource, source_id)
        if source is None:
            continue
        try:
            values.update(adapter_for(source).values(session, source, group, key=key))
        except SourceError as exc:
            errors.append((source.slug, exc.code))
    return values, errors


def decide_match(
    session: Session, match: SubjectMatch, *, confirm: bool, actor: Actor, now: datetime
) -> None:
    """Confirm or reject a candidate (flushes, audits). The plan of every action on that
    source for that request may change with it, so the controller's approvals of those
    actions lapse (docs/controllers.md, "Approvals and the gate")."""
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    match.decided_by_id = actor.id
    match.decided_at = now
    session.flush()
    record(
        session,
        "sources.match_confirmed" if confirm else "sources.match_rejected",
        actor=actor,
        now=now,
        request_id=match.request_id,
        object_type="subject_match",
        object_id=match.id,
        data={"source_id": match.source_id, "matched_by": match.matched_by},
    )
    lapse(
        session, match.request_id, now=now, reason="match_decided", source_id=match.source_id,
        actor=actor,
    )  # fmt: skip


def confirmed_matches(
    session: Session, request: RightsRequest, source: DataSource | None = None
) -> list[SubjectMatch]:
    stmt = select(SubjectMatch).where(
        SubjectMatch.request_id == request.id, SubjectMatch.status == MatchStatus.CONFIRMED
    )
    if source is not None:
        stmt = stmt.where(SubjectMatch.source_id == source.id)
    return list(session.scalars(stmt.order_by(SubjectMatch.id)))


def controllers_found(session: Session, request: RightsRequest) -> list[int]:
    """Organisations whose sources hold confirmed matches (more than one: offer a split)."""
    ids = {m.source.organisation_id for m in confirmed_matches(session, request)}
    return sorted(ids)
