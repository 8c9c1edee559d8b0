"""Two rules of what an answer must carry (docs/legal.md, "Access" and "Statutory
restrictions"), kept apart from ``rights.answers`` so every path uses the same checks:

- **No data found (Art. 15(1), EDPB 01/2022 Ex. 38)**: an access request is answered
  "fulfilled" with a released package only when data about the subject was found. When
  the sources in scope were searched and nothing was found (no candidate or confirmed
  match), a "we hold no data about you" letter without a package is a complete answer.
- **Art. 23 / UAVG art. 41**: relying on a statutory restriction records, besides the
  sub-ground, justification and review date, *which parts* of the answer are withheld
  (the scope, per item) and whether informing the subject would prejudice the purpose of
  the restriction (Art. 23(2)(h)). When it would, the letter says nothing of the
  restriction (``letter_withholds``); when it would not, the letter names the restriction
  and carries the Art. 12(4) complaint text like every refusal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from rights.audit import write_pending
from rights.errors import ValidationFailed
from rights.grounds import ART_23
from rights.models.audit import AuditEvent
from rights.models.case import AnswerLetter
from rights.models.package import Package, PackageKind
from rights.models.request import Outcome, RightsRequest
from rights.models.source import MatchStatus, SubjectMatch
from rights.righttypes import RightType
from rights.sources.erasure import erasure_summary

MAX_SCOPE_ITEMS = 20
MAX_SCOPE_TEXT = 200


def searched(session: Session, request: RightsRequest) -> bool:
    """True once the request's sources were searched (a ``sources.discovered`` event)."""
    write_pending(session)  # a search in this transaction counts (docs/architecture.md)
    query = select(AuditEvent.id).where(
        AuditEvent.request_id == request.id, AuditEvent.action == "sources.discovered"
    )
    return bool(session.scalar(select(exists(query))))


def data_found(session: Session, request: RightsRequest) -> bool:
    """True when a source holds (or may hold: an undecided candidate) the subject's data."""
    query = select(SubjectMatch.id).where(
        SubjectMatch.request_id == request.id, SubjectMatch.status != MatchStatus.REJECTED
    )
    return bool(session.scalar(select(exists(query))))


def package_required(session: Session, request: RightsRequest) -> bool:
    """Art. 15(3): a copy is owed when data was found, or when nobody searched yet (then
    "nothing found" is not known)."""
    return data_found(session, request) or not searched(session, request)


@dataclass(frozen=True)
class Restriction:
    """An Art. 23 / UAVG art. 41 restriction as the officer recorded it."""

    scope: tuple[str, ...]
    prejudicial: bool

    def as_json(self) -> dict[str, Any]:
        return {"scope": list(self.scope), "prejudicial": self.prejudicial}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Restriction | None:
        if not data:
            return None
        return cls(tuple(str(s) for s in data.get("scope") or ()), bool(data.get("prejudicial")))


def check_restriction(
    grounds: Sequence[str], scope: Sequence[str], prejudicial: bool | None
) -> Restriction | None:
    """The restriction of an answer citing an Art. 23 ground (None without one). Codes:
    ``restriction_scope`` (no item named, or items without an Art. 23 ground),
    ``restriction_prejudice`` (the decision on informing the subject not taken)."""
    items = tuple(s.strip()[:MAX_SCOPE_TEXT] for s in scope if s.strip())[:MAX_SCOPE_ITEMS]
    if not any(g in ART_23 for g in grounds):
        if items or prejudicial:
            raise ValidationFailed(
                "a withheld scope needs an Art. 23 ground", code="restriction_scope"
            )
        return None
    if not items:
        raise ValidationFailed("name the parts of the answer withheld", code="restriction_scope")
    if prejudicial is None:
        raise ValidationFailed(
            "decide whether informing the subject would prejudice the purpose",
            code="restriction_prejudice",
        )
    return Restriction(items, prejudicial)


def letter_withholds(extra: Mapping[str, Any] | None) -> bool:
    """True when the letter must not mention the restriction (Art. 23(2)(h))."""
    restriction = Restriction.from_json((extra or {}).get("art_23"))
    return restriction is not None and restriction.prejudicial


def has_released_package(session: Session, request: RightsRequest) -> bool:
    """True once a package for the request was released to the subject (also if it has
    expired since: the subject had the copy)."""
    query = select(Package.id).where(
        Package.kind == PackageKind.REQUEST,
        Package.request_id == request.id,
        Package.released_at.is_not(None),
    )
    return bool(session.scalar(select(exists(query))))


def needs_remedy(session: Session, request: RightsRequest, letter: AnswerLetter) -> bool:
    """Art. 12(4): any refusal in whole or in part; an erasure that kept data under
    Art. 17(3) or a retention obligation is a partial refusal whatever outcome was chosen."""
    if letter.outcome is not Outcome.FULFILLED:
        # Art. 23(2)(h): a refusal only on a restriction the subject is not told of.
        return not (letter_withholds(letter.extra) and all(g in ART_23 for g in letter.grounds))
    return request.right is RightType.ERASURE and bool(erasure_summary(session, request).kept)
