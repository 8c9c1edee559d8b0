"""The request record of an access package carries its Art. 15(1) information in the
subject's language, from the catalogue (Dutch translations in the .po file)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operations.packages import request_export_package
from rights.righttypes import AccessDetails, PortabilityDetails

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
EXPECTED = {
    "nl": (
        "Privacyportaal",
        "Uw verzoek",
        "Uw verzoek over uw persoonsgegevens afhandelen en beantwoorden",
        "Wettelijke verplichting (art. 6 lid 1 sub c AVG; art. 12 AVG)",
        "Tot twee jaar na afronding van het verzoek, om te kunnen aantonen hoe het is "
        "afgehandeld",
        "verwerkingsverantwoordelijke",
        ["Kenmerk", "Recht", "Ontvangen op", "Naam", "E-mailadres", "Telefoonnummer", "Adres",
         "Klantnummer"],
    ),
    "en": (
        "Privacy portal",
        "Your request",
        "Handling and answering your request about your personal data",
        "Legal obligation (Art. 6(1)(c) GDPR; Art. 12 GDPR)",
        "Until two years after the request is closed, to show how it was handled",
        "controller",
        ["Reference", "Right", "Received at", "Name", "E-mail address", "Phone number",
         "Address", "Customer number"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
def test_request_record_texts_in_the_subjects_language(make_request, language):
    request = make_request(AccessDetails(), language=language)
    package = request_export_package(request, now=NOW, operator_name="Mailhuis")
    section = package.sources[0]
    category = section.categories[0]
    source, label, purpose, basis, retention, role, fields = EXPECTED[language]
    assert (package.language, package.right) == (language, "access")
    assert (section.name, category.label, section.owner) == (source, label, "Mailhuis")
    assert list(section.info.purposes) == [purpose]
    assert list(section.info.legal_basis) == [basis]
    assert section.info.retention == retention
    assert [r.role for r in section.info.recipients] == [role]
    assert [f.label for f in category.fields] == fields


def test_portability_package_and_unknown_language(make_request):
    request = make_request(PortabilityDetails(), language="de")
    package = request_export_package(request, now=NOW, operator_name="Mailhuis")
    assert (package.language, package.right) == ("en", "portability")
    assert package.sources[0].name == "Privacy portal"
