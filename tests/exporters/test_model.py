from datetime import UTC, datetime

import pytest

from exporters.errors import ExportInvalid
from exporters.model import CategoryData, ExportPackage, FieldSpec, ProcessingInfo, rows
from tests.exporters.conftest import RECEIVED_AT, make_package


def test_portability_keeps_only_provided_data_on_consent_or_contract() -> None:
    portable = make_package().for_portability()
    assert portable.right == "portability"
    kept = [(s.name, c.key) for s, c in portable.categories()]
    assert kept == [("Nieuwsbrief", "contacts"), ("Nieuwsbrief", "clicks")]
    assert [(e.category_key, e.reason) for e in portable.excluded] == [
        ("segments", "not_provided_by_subject"),
        ("invoices", "legal_basis"),
    ]


def test_portability_leaves_out_manual_processing() -> None:
    manual = CategoryData(
        "letters", "Brieven", (FieldSpec("t", "T"),), rows([]), True, "contract", automated=False
    )
    assert not manual.portable
    assert manual.exclusion_reason() == "not_automated"


def test_records_can_be_read_more_than_once() -> None:
    category = make_package().sources[0].categories[0]
    assert list(category.iter_records()) == list(category.iter_records())


@pytest.mark.parametrize(
    "change",
    [
        {"received_at": datetime(2025, 1, 1)},
        {"generated_at": datetime(2025, 1, 1)},
        {"language": "de"},
        {"right": "erasure"},
        {"reference": ""},
    ],
)
def test_invalid_packages_are_refused(change: dict[str, object]) -> None:
    values: dict[str, object] = {
        "reference": "R",
        "language": "nl",
        "right": "access",
        "received_at": RECEIVED_AT,
        "generated_at": datetime(2025, 3, 1, tzinfo=UTC),
        "subject_name": "X",
        "sources": [],
    }
    values.update(change)
    with pytest.raises(ExportInvalid):
        ExportPackage(**values)  # type: ignore[arg-type]


def test_invalid_categories_are_refused() -> None:
    with pytest.raises(ExportInvalid):
        CategoryData(
            "k", "K", (FieldSpec("a", "A"), FieldSpec("a", "B")), rows([]), True, "consent"
        )
    with pytest.raises(ExportInvalid):
        CategoryData("k", "K", (), rows([]), True, "consent")
    with pytest.raises(ExportInvalid):
        FieldSpec("a", "A", "text")  # type: ignore[arg-type]
    with pytest.raises(ExportInvalid):
        ProcessingInfo(purposes=[], legal_basis=[], retention="")
