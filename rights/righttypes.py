"""The rights a data subject can exercise, each with its article and its typed details.

A registry, not an if/elif chain: ``RIGHTS[RightType.ERASURE]`` gives the article and the
details class; the grounds an answer may cite are in ``rights.grounds``.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal


class RightType(enum.StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"


@dataclass(frozen=True)
class Details:
    """Base for right-specific details. Stored as JSON on the request."""

    kind: ClassVar[RightType]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Details:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


@dataclass(frozen=True)
class AccessDetails(Details):
    """Art. 15: everything, or specific data or a period."""

    kind: ClassVar[RightType] = RightType.ACCESS
    scope: Literal["all", "specific"] = "all"
    specific: str = ""
    period_from: str = ""  # ISO date or empty
    period_to: str = ""


@dataclass(frozen=True)
class RectificationDetails(Details):
    """Art. 16: which data, the current and the correct value, optional statement."""

    kind: ClassVar[RightType] = RightType.RECTIFICATION
    which_data: str = ""
    current_value: str = ""
    correct_value: str = ""
    supplementary_statement: str = ""


ERASURE_GROUNDS = ("a", "b", "c", "d", "e", "f")  # Art. 17(1)(a)-(f)
RESTRICTION_GROUNDS = ("a", "b", "c", "d")  # Art. 18(1)(a)-(d)


@dataclass(frozen=True)
class ErasureDetails(Details):
    """Art. 17: the ground of Art. 17(1) and the scope."""

    kind: ClassVar[RightType] = RightType.ERASURE
    ground: str = "a"
    scope: Literal["all", "specific"] = "all"
    specific: str = ""


@dataclass(frozen=True)
class RestrictionDetails(Details):
    """Art. 18: the ground of Art. 18(1)."""

    kind: ClassVar[RightType] = RightType.RESTRICTION
    ground: str = "a"
    explanation: str = ""


@dataclass(frozen=True)
class PortabilityDetails(Details):
    """Art. 20: format, and optionally direct transmission to another organisation."""

    kind: ClassVar[RightType] = RightType.PORTABILITY
    format: Literal["json", "csv", "xlsx"] = "json"
    transmit_to_name: str = ""
    transmit_to_email: str = ""


@dataclass(frozen=True)
class ObjectionDetails(Details):
    """Art. 21: direct marketing (21(2)-(3), absolute) or 21(1) with the particular situation."""

    kind: ClassVar[RightType] = RightType.OBJECTION
    basis: Literal["direct_marketing", "particular_situation"] = "direct_marketing"
    situation: str = ""


@dataclass(frozen=True)
class WithdrawConsentDetails(Details):
    """Art. 7(3): which consent."""

    kind: ClassVar[RightType] = RightType.WITHDRAW_CONSENT
    which_consent: str = ""


@dataclass(frozen=True)
class RightSpec:
    right: RightType
    article: str
    details: type[Details]


# The grounds an answer may cite live in one table per right and legal basis:
# ``rights.grounds`` (docs/legal.md, "Grounds per right and basis").
RIGHTS: dict[RightType, RightSpec] = {
    RightType.ACCESS: RightSpec(RightType.ACCESS, "Art. 15", AccessDetails),
    RightType.RECTIFICATION: RightSpec(RightType.RECTIFICATION, "Art. 16", RectificationDetails),
    RightType.ERASURE: RightSpec(RightType.ERASURE, "Art. 17", ErasureDetails),
    RightType.RESTRICTION: RightSpec(RightType.RESTRICTION, "Art. 18", RestrictionDetails),
    RightType.PORTABILITY: RightSpec(RightType.PORTABILITY, "Art. 20", PortabilityDetails),
    RightType.OBJECTION: RightSpec(RightType.OBJECTION, "Art. 21", ObjectionDetails),
    RightType.WITHDRAW_CONSENT: RightSpec(
        RightType.WITHDRAW_CONSENT, "Art. 7(3)", WithdrawConsentDetails
    ),
}


def parse_details(right: RightType, data: dict[str, Any] | None) -> Details:
    """Build the typed details for ``right`` from stored JSON (unknown keys are dropped)."""
    return RIGHTS[right].details.from_json(data)
