"""Sample packages for the exporter tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from exporters.model import (
    CategoryData,
    ExportPackage,
    FieldSpec,
    Language,
    ProcessingInfo,
    Recipient,
    SourceSection,
    rows,
)

GENERATED_AT = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
RECEIVED_AT = datetime(2025, 2, 20, 9, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))

# Every formula trigger, plus the cases common escapers miss.
TRIGGER_VALUES = [
    "=1+1",
    "+31612345678",
    "-3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "\nLF",
    '=HYPERLINK("http://x","y")',
]

CONTACT_FIELDS = (
    FieldSpec("name", "Naam", "string", "Volledige naam"),
    FieldSpec("email", "E-mailadres", "string"),
    FieldSpec("born", "Geboortedatum", "date"),
    FieldSpec("subscribed_at", "Aangemeld op", "datetime"),
    FieldSpec("mailings", "Aantal mailings", "integer"),
    FieldSpec("score", "Score", "number"),
    FieldSpec("active", "Actief", "boolean"),
)


def contact_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [
        {
            "name": "Jan de Vries",
            "email": "jan@example.nl",
            "born": date(1980, 5, 17),
            "subscribed_at": datetime(2024, 1, 2, 13, 4, 5, tzinfo=CET),
            "mailings": 12,
            "score": 3.5,
            "active": True,
        },
        {  # missing keys are empty cells
            "name": "<script>alert(1)</script>",
            "email": None,
            "active": False,
        },
    ]
    for value in TRIGGER_VALUES:
        records.append({"name": value, "email": value, "mailings": -3, "score": -1.25})
    return records


def info(**overrides: Any) -> ProcessingInfo:
    values: dict[str, Any] = {
        "purposes": ["Nieuwsbrief versturen"],
        "legal_basis": ["Toestemming (art. 6 lid 1 sub a AVG)"],
        "retention": "Tot afmelding plus 2 jaar",
        "recipients": [Recipient("MailCo B.V.", "subverwerker")],
    }
    values.update(overrides)
    return ProcessingInfo(**values)


def make_package(
    language: Language = "nl",
    records: Callable[[], Any] | None = None,
    generated_at: datetime = GENERATED_AT,
) -> ExportPackage:
    contacts = CategoryData(
        key="contacts",
        label="Contactgegevens",
        fields=CONTACT_FIELDS,
        records=records or rows(contact_records()),
        provided_by_subject=True,
        legal_basis="consent",
    )
    clicks = CategoryData(
        key="clicks",
        label="Klikgedrag",
        fields=(FieldSpec("at", "Tijdstip", "datetime"), FieldSpec("url", "Link")),
        records=rows([{"at": datetime(2024, 2, 1, 8, 0, tzinfo=UTC), "url": "https://x.nl"}]),
        provided_by_subject=True,
        legal_basis="contract",
    )
    segments = CategoryData(
        key="segments",
        label="Segmenten",
        fields=(FieldSpec("segment", "Segment"),),
        records=rows([{"segment": "=cmd|' /C calc'!A0"}]),
        provided_by_subject=False,
        legal_basis="legitimate_interests",
    )
    invoices = CategoryData(
        key="invoices",
        label="Facturen",
        fields=(FieldSpec("number", "Factuurnummer"), FieldSpec("amount", "Bedrag", "number")),
        records=rows([]),
        provided_by_subject=True,
        legal_basis="legal_obligation",
    )
    return ExportPackage(
        reference="DSR-2025-0042",
        language=language,
        right="access",
        received_at=RECEIVED_AT,
        generated_at=generated_at,
        subject_name="Jan de Vries",
        sources=[
            SourceSection(
                name="Nieuwsbrief",
                owner="Voorbeeld B.V.",
                info=info(),
                categories=[contacts, clicks, segments],
            ),
            SourceSection(
                name="Administratie",
                owner="Voorbeeld B.V.",
                info=info(
                    purposes=["Boekhouding"],
                    legal_basis=["Wettelijke plicht"],
                    source_of_data="Uw werkgever",
                    automated_decision_making=None,
                    recipients=[Recipient("Cloud Inc.", "subverwerker", "Verenigde Staten")],
                    transfer_safeguards="Standaardcontractbepalingen",
                ),
                categories=[invoices],
            ),
        ],
    )


@pytest.fixture
def package() -> ExportPackage:
    return make_package()


def generated(count: int) -> Callable[[], Iterator[Mapping[str, Any]]]:
    """A generator-backed record source (each call starts a fresh generator)."""

    def source() -> Iterator[Mapping[str, Any]]:
        for index in range(count):
            yield {"name": f"Person {index}", "email": f"p{index}@example.nl", "mailings": index}

    return source
