"""Art. 15(1)(g), (h) and 15(2) (docs/legal.md, "Access"): the answer shows what the source
definition records and says plainly when something was not recorded, never a default claim.
Art. 20(1): a category's own basis and provenance decide portability."""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from exporters.from_sources import to_package
from exporters.html_format import write_html
from exporters.json_format import information
from exporters.xlsx_info import information_rows
from tests.exporters.conftest import info, make_package

NOT_RECORDED = {"nl": "Niet vastgelegd", "en": "Not recorded"}


def _html(pkg) -> str:
    out = io.BytesIO()
    write_html(pkg, out, None)
    return out.getvalue().decode()


def _xlsx_text(pkg) -> str:
    return "\n".join(" | ".join(row.values) for row in information_rows(pkg, []))


def _with_info(language: str, **values: Any):
    pkg = make_package(language=language)
    first = dataclasses.replace(pkg.sources[0], info=info(**values))
    return dataclasses.replace(pkg, sources=(first,))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_nothing_recorded_is_said_to_be_not_recorded(language):
    pkg = _with_info(language)
    for text in (_html(pkg), _xlsx_text(pkg)):
        assert text.count(NOT_RECORDED[language]) == 3  # (g), (h), 15(2)
        assert "Van u zelf verkregen" not in text and "Collected from you" not in text
        assert "geen geautomatiseerde besluitvorming" not in text
        assert "no automated decision-making" not in text
    data = information(pkg.sources[0])
    assert data["collected_from_subject"] is None and data["automated_decisions"] is None


@pytest.mark.parametrize("language", ["nl", "en"])
def test_recorded_statements_are_shown(language):
    pkg = _with_info(
        language,
        collected_from_subject=True,
        automated_decisions=False,
        transfers_outside_eea=False,
    )
    for text in (_html(pkg), _xlsx_text(pkg)):
        assert NOT_RECORDED[language] not in text
        if language == "nl":
            assert "Van u zelf verkregen." in text
            assert "Er vindt geen geautomatiseerde besluitvorming" in text
            assert "niet door naar landen buiten de EER" in text
        else:
            assert "Collected from you." in text and "no automated decision-making" in text
            assert "do not transfer these data to countries outside the EEA" in text
    described = _with_info(
        language,
        source_of_data="Kamer van Koophandel",
        automated_decision_making="Kredietscore: bij een score onder 400 geen levering op rekening.",
        transfer_safeguards="Verenigde Staten: standaardcontractbepalingen (art. 46 lid 2 sub c)",
    )
    for text in (_html(described), _xlsx_text(described)):
        assert "Kamer van Koophandel" in text and "Kredietscore" in text
        assert "standaardcontractbepalingen" in text
        assert NOT_RECORDED[language] not in text


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    fields: tuple[str, ...]
    records: tuple[dict[str, Any], ...]
    legal_basis: str | None = None
    provenance: str | None = None


@dataclass(frozen=True)
class Source:
    name: str = "Klantenbestand"
    owner: str = "Bakkerij Jansen"
    purposes: tuple[str, ...] = ("Klantenadministratie",)
    legal_basis: tuple[str, ...] = ("contract", "legal_obligation")
    retention: str = "2 jaar"
    recipients: tuple[dict[str, str], ...] = ()
    categories_info: tuple[str, ...] = ()
    source_of_data: str = ""
    categories: tuple[Category, ...] = field(default_factory=tuple)


def test_portability_leaves_out_a_legal_obligation_category_and_keeps_a_consent_one():
    newsletter = Category("nieuwsbrief", "Nieuwsbrief", ("email",), ({"email": "a@b.nl"},),
                          legal_basis="consent", provenance="provided")  # fmt: skip
    clicks = Category("klikken", "Klikgedrag", ("link",), ({"link": "x"},),
                      legal_basis="consent", provenance="observed")  # fmt: skip
    score = Category("score", "Klantscore", ("score",), ({"score": 3},),
                     legal_basis="consent", provenance="derived")  # fmt: skip
    invoices = Category("facturen", "Facturen", ("bedrag",), ({"bedrag": 12},),
                        legal_basis="legal_obligation", provenance="provided")  # fmt: skip
    now = datetime(2026, 3, 1, tzinfo=UTC)
    pkg = to_package(
        copies=[Source(categories=(newsletter, clicks, score, invoices))],
        reference="DSR-1", language="nl", right="portability", received_at=now,
        generated_at=now, subject_name="Eva",
    )  # fmt: skip
    kept = [c.key for _s, c in pkg.categories()]
    assert kept == ["nieuwsbrief", "klikken"]
    reasons = {e.category_key: e.reason for e in pkg.excluded}
    assert reasons == {"score": "not_provided_by_subject", "facturen": "legal_basis"}
