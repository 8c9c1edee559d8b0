"""Which legal grounds an answer may cite, per right and per legal basis of the processing
concerned: one table, read by ``rights.answers.check_answer`` and by every path that answers
a request (docs/legal.md, "Grounds per right and basis").

The basis is the Art. 6(1) basis on which the data the request is about are processed. An
objection to direct marketing (Art. 21(2)-(3)) is absolute whatever that basis is, and a
withdrawal of consent (Art. 7(3)) is unconditional: for both the table holds no ground at
all, so they can only be answered "fulfilled".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from rights.errors import ValidationFailed
from rights.righttypes import ObjectionDetails, RightType, parse_details


class Basis(enum.StrEnum):
    """Art. 6(1)(a)-(f) GDPR; consent also covers explicit consent (Art. 9(2)(a))."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


# Art. 23(1)(a)-(j) GDPR as given effect by UAVG art. 41(1)(a)-(j), which covers
# Arts. 12-21 (docs/legal.md, "Statutory restrictions"). The sub-ground is part of the code.
ART_23 = tuple(f"art_23_1_{letter}" for letter in "abcdefghij")

_COMMON = ("art_12_5", *ART_23)  # Art. 12(5) covers Arts. 15-22; Art. 23 / UAVG 41: 12-21
_IDENTITY = ("art_11_2",)  # Art. 11(2) displaces Arts. 15-20 only, never 21 or 7(3)
_ERASURE = (
    "art_17_1_no_ground",
    "art_17_3_a",
    "art_17_3_b",
    "art_17_3_c",
    "art_17_3_d",
    "art_17_3_e",
)
_PORTABLE = frozenset({Basis.CONSENT, Basis.CONTRACT})  # Art. 20(1)(a)
_OBJECTABLE = frozenset({Basis.PUBLIC_TASK, Basis.LEGITIMATE_INTERESTS})  # Art. 21(1)


def _row(right: RightType, basis: Basis) -> frozenset[str]:
    if right is RightType.ACCESS:
        return frozenset({*_IDENTITY, *_COMMON, "art_15_4"})
    if right is RightType.RECTIFICATION:
        return frozenset({*_IDENTITY, *_COMMON, "art_16_accurate"})
    if right is RightType.ERASURE:
        return frozenset({*_IDENTITY, *_COMMON, *_ERASURE})
    if right is RightType.RESTRICTION:
        return frozenset({*_IDENTITY, *_COMMON, "art_18_1_no_condition"})
    if right is RightType.PORTABILITY:
        # Art. 20(4) only limits a right that exists; otherwise Art. 20(1) is the answer
        # (processing not on consent or contract, a public task included: Art. 20(3)).
        extra = {"art_20_4"} if basis in _PORTABLE else set()
        return frozenset({*_IDENTITY, *_COMMON, "art_20_1_not_applicable", *extra})
    if right is RightType.OBJECTION:
        # Art. 21(1): only processing on Art. 6(1)(e)/(f) can be objected to on grounds of a
        # particular situation, and only there can compelling grounds or legal claims be shown.
        if basis in _OBJECTABLE:
            return frozenset({*_COMMON, "art_21_1_compelling", "art_21_1_legal_claims"})
        return frozenset({*_COMMON, "art_21_1_not_applicable"})
    return frozenset()  # Art. 7(3): a withdrawal of consent cannot be refused


GROUNDS: Mapping[tuple[RightType, Basis], frozenset[str]] = {
    (right, basis): _row(right, basis) for right in RightType for basis in Basis
}
# Art. 21(3): "the personal data shall no longer be processed for such purposes".
DIRECT_MARKETING_OBJECTION: frozenset[str] = frozenset()


def is_direct_marketing_objection(right: RightType, details: Mapping[str, object] | None) -> bool:
    if right is not RightType.OBJECTION:
        return False
    parsed = parse_details(right, dict(details or {}))
    return isinstance(parsed, ObjectionDetails) and parsed.basis == "direct_marketing"


def grounds_for(
    right: RightType, basis: Basis, *, details: Mapping[str, object] | None = None
) -> frozenset[str]:
    """Exactly the grounds the law allows for ``right`` when the data are processed on
    ``basis`` (``details``: the request's details, which say whether an objection is one to
    direct marketing)."""
    if is_direct_marketing_objection(right, details):
        return DIRECT_MARKETING_OBJECTION
    return GROUNDS[(right, basis)]


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for s in sets:
        out |= s
    return frozenset(out)


def possible_grounds(
    right: RightType, details: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """Every ground that may apply to the request for some basis, in a stable order (what
    the officer is offered before saying the basis)."""
    found = _union(grounds_for(right, b, details=details) for b in Basis)
    return tuple(sorted(found, key=_order))


def basis_dependent(
    right: RightType, details: Mapping[str, object] | None = None
) -> frozenset[str]:
    """The grounds that apply under some bases only: citing one needs the basis stated."""
    rows = [grounds_for(right, b, details=details) for b in Basis]
    common = frozenset.intersection(*rows) if rows else frozenset()
    return _union(rows) - common


def can_refuse(right: RightType, details: Mapping[str, object] | None = None) -> bool:
    """False for an objection to direct marketing and a withdrawal of consent."""
    return bool(possible_grounds(right, details))


def check_grounds(
    right: RightType,
    details: Mapping[str, object] | None,
    grounds: Iterable[str],
    basis: Basis | None,
) -> None:
    """Raise ``ValidationFailed`` unless every ground is allowed for the right and basis:
    ``refusal_not_allowed`` (nothing may be refused), ``ground_mismatch``, or
    ``basis_required`` (a ground that depends on the basis, with none stated)."""
    chosen = list(grounds)
    if not can_refuse(right, details):
        raise ValidationFailed("this request cannot be refused", code="refusal_not_allowed")
    if basis is None:
        allowed = frozenset(possible_grounds(right, details))
        if any(g in basis_dependent(right, details) for g in chosen):
            raise ValidationFailed(
                "say on which legal basis the data are processed", code="basis_required"
            )
    else:
        allowed = grounds_for(right, basis, details=details)
    if any(g not in allowed for g in chosen):
        raise ValidationFailed("ground does not match the right", code="ground_mismatch")


_ORDER = (
    "art_11_2",
    "art_12_5",
    "art_15_4",
    "art_16_accurate",
    *_ERASURE,
    "art_18_1_no_condition",
    "art_20_1_not_applicable",
    "art_20_4",
    "art_21_1_not_applicable",
    "art_21_1_compelling",
    "art_21_1_legal_claims",
    *ART_23,
)


def _order(code: str) -> int:
    return _ORDER.index(code) if code in _ORDER else len(_ORDER)


def parse_basis(value: str | None) -> Basis | None:
    """The basis from a form or API value; empty means not stated (``ValidationFailed``
    ``basis`` for an unknown value)."""
    if not value:
        return None
    try:
        return Basis(value)
    except ValueError:
        raise ValidationFailed("unknown legal basis", code="basis") from None
