"""The legal part of a source definition (docs/legal.md): validated, nothing assumed."""

from __future__ import annotations

import tomllib

import pytest

from rights.errors import ValidationFailed
from rights.sources.legal_info import category_info, parse_legal_info

DEFINITION = """
collected_from_subject = false
automated_decisions = false
transfers_outside_eea = true
transfer_safeguards = "VS: standaardcontractbepalingen"

[category_info.Contactgegevens]
legal_basis = "contract"
provenance = "provided"

[category_info.Facturen]
legal_basis = "legal_obligation"
"""


def test_recorded_keys_are_kept_and_missing_ones_stay_missing():
    stored = parse_legal_info(tomllib.loads(DEFINITION))
    assert stored["automated_decisions"] is False and stored["transfers_outside_eea"] is True
    assert "automated_decision_making" not in stored
    assert category_info(stored, "Facturen").legal_basis == "legal_obligation"
    assert category_info(stored, "Facturen").provenance is None
    assert category_info(stored, "Contactgegevens").provenance == "provided"
    assert category_info(stored, "Onbekend").legal_basis is None
    assert parse_legal_info({}) == {}


@pytest.mark.parametrize(
    "text",
    [
        "automated_decisions = 'nee'",
        "[category_info.X]\nlegal_basis = 'goodwill'",
        "[category_info.X]\nprovenance = 'guessed'",
        "transfer_safeguards = 3",
    ],
)
def test_bad_values_are_refused(text):
    with pytest.raises(ValidationFailed):
        parse_legal_info(tomllib.loads(text))
