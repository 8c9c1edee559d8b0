"""The labels of a source definition (docs/package.md, "Labels"): both languages required,
value types checked, stored with the mapping; a column without a label is shown in a
readable form of its name, never as the raw name."""

from __future__ import annotations

import pytest

from exporters.labels import basis_label, column_label, readable, right_label, role_label
from rights.errors import ValidationFailed
from rights.sources.definition import parse_source_toml

HEAD = """
slug = "s"
name = "Bron"
kind = "file"
owner = "o"
purposes = ["Doel"]
"""


def test_labels_are_parsed_and_stored_with_the_definition():
    spec = parse_source_toml(
        HEAD
        + """
[labels.columns]
customer_no = { nl = "Klantnummer", en = "Customer number" }
[labels.columns.issued_on]
nl = "Factuurdatum"
en = "Invoice date"
type = "date"
about_nl = "Dag van de factuur"
about_en = "Day of the invoice"
[labels.categories]
Facturen = { nl = "Facturen", en = "Invoices" }
"""
    )
    labels = spec.mapping()["labels"]
    assert labels["columns"]["issued_on"] == {
        "nl": "Factuurdatum", "en": "Invoice date", "about_nl": "Dag van de factuur",
        "about_en": "Day of the invoice", "type": "date",
    }  # fmt: skip
    assert column_label(labels, "customer_no", "en") == "Customer number"
    assert column_label(labels, "house_number", "nl") == "House number"  # readable fallback


@pytest.mark.parametrize(
    "bad",
    [
        '[labels.columns]\na = { nl = "A" }',  # English missing
        '[labels.columns]\na = { nl = "A", en = "" }',
        '[labels.columns]\na = { nl = "A", en = "A", type = "money" }',
        '[labels.columns]\na = "A"',
        "[labels.widgets]\na = 1",
        'labels = "x"',
    ],
)
def test_a_bad_label_is_refused_with_a_reason(bad):
    with pytest.raises(ValidationFailed) as err:
        parse_source_toml(HEAD + bad)
    assert err.value.code == "bad_source_definition"


def test_codes_have_words_in_both_languages():
    assert readable("house_number") == "House number" and readable("customer-no") == "Customer no"
    assert basis_label("legal_obligation", "nl").startswith("Wettelijke verplichting")
    assert basis_label("contract", "en").startswith("Performance of a contract")
    assert basis_label("Toestemming van de klant", "nl") == "Toestemming van de klant"
    assert role_label("sub-processor", "nl") == "subverwerker"
    assert right_label("withdraw_consent", "en") == "Withdrawal of consent (Article 7(3) GDPR)"
