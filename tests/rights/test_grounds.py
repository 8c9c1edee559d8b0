"""The grounds table (docs/legal.md, "Grounds per right and basis"): for every right and
every Art. 6(1) basis, exactly the grounds the law allows, written out here independently
of how rights.grounds builds them."""

from __future__ import annotations

import pytest

from rights.errors import ValidationFailed
from rights.grounds import (
    GROUNDS,
    Basis,
    basis_dependent,
    can_refuse,
    check_grounds,
    grounds_for,
    possible_grounds,
)
from rights.righttypes import RightType

B = Basis
ALL_BASES = set(Basis)
ART_23 = {f"art_23_1_{x}" for x in "abcdefghij"}
COMMON = {"art_12_5", *ART_23}
ERASURE = {
    "art_17_1_no_ground",
    "art_17_3_a",
    "art_17_3_b",
    "art_17_3_c",
    "art_17_3_d",
    "art_17_3_e",
}
PORTABLE = {B.CONSENT, B.CONTRACT}
OBJECTABLE = {B.PUBLIC_TASK, B.LEGITIMATE_INTERESTS}


def expected(right: RightType, basis: Basis) -> set[str]:
    if right is RightType.ACCESS:
        return {"art_11_2", *COMMON, "art_15_4"}
    if right is RightType.RECTIFICATION:
        return {"art_11_2", *COMMON, "art_16_accurate"}
    if right is RightType.ERASURE:
        return {"art_11_2", *COMMON, *ERASURE}
    if right is RightType.RESTRICTION:
        return {"art_11_2", *COMMON, "art_18_1_no_condition"}
    if right is RightType.PORTABILITY:
        extra = {"art_20_4"} if basis in PORTABLE else set()
        return {"art_11_2", *COMMON, "art_20_1_not_applicable", *extra}
    if right is RightType.OBJECTION:
        if basis in OBJECTABLE:
            return {*COMMON, "art_21_1_compelling", "art_21_1_legal_claims"}
        return {*COMMON, "art_21_1_not_applicable"}
    return set()


@pytest.mark.parametrize("basis", list(Basis))
@pytest.mark.parametrize("right", list(RightType))
def test_every_right_and_basis_has_exactly_the_grounds_the_law_allows(right, basis):
    assert set(GROUNDS[(right, basis)]) == expected(right, basis)
    assert set(grounds_for(right, basis, details={"basis": "particular_situation"})) == (
        expected(right, basis)
    )


def test_the_table_covers_every_pair_and_nothing_else():
    assert set(GROUNDS) == {(r, b) for r in RightType for b in Basis}


def test_art_11_2_only_for_articles_15_to_20():
    for (right, _basis), grounds in GROUNDS.items():
        covered = right not in (RightType.OBJECTION, RightType.WITHDRAW_CONSENT)
        assert ("art_11_2" in grounds) is covered


def test_restriction_is_refused_under_art_18_1_never_18_2():
    for basis in Basis:
        grounds = grounds_for(RightType.RESTRICTION, basis)
        assert "art_18_1_no_condition" in grounds and "art_18_2" not in grounds


def test_art_23_restrictions_for_every_right_of_articles_15_to_21():
    for (right, _basis), grounds in GROUNDS.items():
        if right is RightType.WITHDRAW_CONSENT:
            assert not grounds & ART_23
        else:
            assert grounds >= ART_23


@pytest.mark.parametrize("basis", list(Basis))
def test_an_objection_to_direct_marketing_has_no_ground_whatever_the_basis(basis):
    details = {"basis": "direct_marketing"}
    assert grounds_for(RightType.OBJECTION, basis, details=details) == frozenset()
    assert possible_grounds(RightType.OBJECTION, details) == ()
    assert not can_refuse(RightType.OBJECTION, details)
    with pytest.raises(ValidationFailed) as err:
        check_grounds(RightType.OBJECTION, details, ["art_21_1_compelling"], basis)
    assert err.value.code == "refusal_not_allowed"


def test_a_withdrawal_of_consent_has_no_ground():
    assert not can_refuse(RightType.WITHDRAW_CONSENT, {})
    assert "art_7_3_other_basis" not in possible_grounds(RightType.WITHDRAW_CONSENT)


def test_compelling_grounds_need_the_basis_and_only_fit_public_task_or_legitimate_interests():
    details = {"basis": "particular_situation"}
    assert {"art_21_1_compelling", "art_21_1_legal_claims", "art_21_1_not_applicable"} <= (
        basis_dependent(RightType.OBJECTION, details)
    )
    with pytest.raises(ValidationFailed) as err:
        check_grounds(RightType.OBJECTION, details, ["art_21_1_compelling"], None)
    assert err.value.code == "basis_required"
    with pytest.raises(ValidationFailed) as err:
        check_grounds(RightType.OBJECTION, details, ["art_21_1_compelling"], B.CONSENT)
    assert err.value.code == "ground_mismatch"
    check_grounds(RightType.OBJECTION, details, ["art_21_1_compelling"], B.LEGITIMATE_INTERESTS)
    check_grounds(RightType.OBJECTION, details, ["art_21_1_not_applicable"], B.CONTRACT)
    # A ground that holds under every basis needs no basis.
    check_grounds(RightType.OBJECTION, details, ["art_12_5"], None)
